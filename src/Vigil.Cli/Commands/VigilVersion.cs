using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Vigil.Kafka;
using Vigil.Kafka.Native;

namespace Vigil.Cli.Commands;

/// <summary><c>--version</c>: Vigil's version, then which librdkafka the Kafka commands would use (or why none loads).</summary>
public sealed class VigilVersion : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var output = parseResult.InvocationConfiguration.Output;
        output.WriteLine(typeof(VigilVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
        try
        {
            output.WriteLine(LibrdkafkaLoader.Description);
        }
        catch (KafkaSetupException e)
        {
            output.WriteLine(e.Message);
        }

        return 0;
    }
}
