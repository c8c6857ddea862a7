using System.CommandLine;
using System.CommandLine.Help;

namespace Vigil.Cli.Commands;

/// <summary>The <c>vigil</c> command line: parses, reports usage errors in one line (exit 2) and runs the command.</summary>
public static class VigilCommand
{
    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // A plain command rather than RootCommand, which would take its name from the assembly (Vigil.Cli).
        var root = new Command("vigil", "Vigil: real-time transaction fraud detection. Run 'vigil demo' to see it work.")
        {
            new HelpOption(),
            new VersionOption(),
            DemoCommand.Create(context),
            ReplayCommand.Create(context),
            FeaturesCommand.Create(context),
            ModelCommands.Train(context),
            ModelCommands.Evaluate(context),
            ModelCommands.Serve(context),
            RulesCommands.Create(context),
            KafkaCommands.Generate(context),
            KafkaCommands.Detect(context),
            KafkaCommands.Alert(context),
            KafkaCommands.Dashboard(context),
            KafkaCommands.Kafka(context),
        };

        if (args.Length == 0)
        {
            await context.Error.WriteLineAsync("vigil: no command given; try 'vigil demo', or 'vigil --help' for the list");
            return ExitCodes.Usage;
        }

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // "Unrecognized command 'dmeo'" says more than the "Required command was not provided" that comes with it.
            var error = parsed.Errors.OrderBy(e => e.Message.StartsWith("Required command", StringComparison.Ordinal) ? 1 : 0).First();
            var command = parsed.CommandResult.Command == root ? "vigil" : $"vigil {parsed.CommandResult.Command.Name}";
            await context.Error.WriteLineAsync($"vigil: {error.Message} (see '{command} --help')");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parsed.InvokeAsync(invocation, context.Stop);
        }
#pragma warning disable CA1031 // The edge of the program: any failure becomes one line and an exit code.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await context.Error.WriteLineAsync($"vigil: error: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
