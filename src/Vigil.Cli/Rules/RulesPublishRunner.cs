using Microsoft.Extensions.Logging;
using System.Text;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Sources;
using Vigil.Runtime.Rules;

namespace Vigil.Cli.Rules;

/// <summary>
/// <c>vigil rules publish RULES.yaml --kafka BROKERS</c>: checks a rules file and puts it on the rules control topic,
/// with its lists inline, for every detector following the topic (<c>vigil detect --rules-topic</c>) to swap in.
/// </summary>
public sealed class RulesPublishRunner(VigilSettings settings, KafkaOptions kafka, IAnsiConsole console, ILogger log)
{
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
        var topic = settings.Topics.Rules;
        using var writer = await Task.Run(() => new KafkaRecordWriter(new KafkaClients(kafka, log), topic), stop);
        writer.Write(Key, Encoding.UTF8.GetBytes(json));
        await writer.FlushAsync(stop);
        var published = RulesDocument.Parse(json, topic, ".", settings.Features.Set).RuleSet;
        console.MarkupLine(Markup.Escape($"published {Path.GetFileName(path)} to {topic} on {kafka.BootstrapServers}: {published.Rules.Count} enabled rules, version {published.Version}"));
        console.MarkupLine(Markup.Escape($"detectors following {topic} swap it in, or log why they cannot (a feature their input lacks, for one)"));
        return 0;
    }
}
