using Microsoft.Extensions.Logging;
using System.Text;
using Spectre.Console;
using Vigil.Cli.Logging;
using Vigil.Cli.Configuration;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Sources;
using Vigil.Runtime.Rules;
using Vigil.Runtime.Topics;

namespace Vigil.Cli.Rules;

/// <summary>
/// <c>vigil rules publish RULES.yaml --kafka BROKERS</c>: checks a rules file and puts it on the rules control topic,
/// with its lists inline and signed with the rules key, for every detector following the topic (<c>vigil detect
/// --rules-topic</c>) with that key to swap in.
/// </summary>
public sealed class RulesPublishRunner(VigilSettings settings, LayeredConfiguration configuration, KafkaOptions kafka, IAnsiConsole console, ILoggerFactory logs)
{
    /// <summary>The Kafka clients' lines.</summary>
    private readonly ILogger _log = logs.CreateLogger(LogCategories.Kafka);

    private static readonly byte[] Key = "rules"u8.ToArray();

    public async Task<int> RunAsync(CancellationToken stop)
    {
        var path = settings.Detector.Rules ?? throw new UsageException("vigil rules publish needs the rules file: vigil rules publish RULES.yaml --kafka BROKERS");
        RulesDocument document;
        try
        {
            document = RulesDocument.Load(path, settings.Features.Set);
        }
        catch (RulesFileException e)
        {
            throw new UsageException($"invalid rules: {e.Message}");
        }

        var json = document.ToJson();
        var bytes = Encoding.UTF8.GetBytes(json);
        var signature = RulesSigning.Read(configuration, "vigil rules publish");
        var topic = settings.Topics.Rules;
        using var writer = await Task.Run(() => new KafkaRecordWriter(new KafkaClients(kafka, _log), topic), stop);
        writer.Write(Key, bytes, signature is null ? null : [new RecordHeader(RuleSignature.Header, signature.Sign(bytes))]);
        await writer.FlushAsync(stop);
        var published = RulesDocument.Parse(json, topic, ".", settings.Features.Set).RuleSet;
        console.MarkupLine(Markup.Escape($"published {Path.GetFileName(path)} to {topic} on {kafka.BootstrapServers}: {published.Rules.Count} enabled rules, version {published.Version}"));
        console.MarkupLine(Markup.Escape(signature is null
            ? $"not signed (--unsigned-rules): only detectors following {topic} with --unsigned-rules take it"
            : $"signed (HMAC-SHA256): detectors following {topic} with the same rules key swap it in, or log why they cannot (a feature their input lacks, for one)"));
        return 0;
    }
}
