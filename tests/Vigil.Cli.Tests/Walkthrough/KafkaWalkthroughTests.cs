using System.Text.Json;
using Vigil.Cli.Tests.Commands;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Tests.Walkthrough;

/// <summary>The README's Kafka walkthrough, step by step: it must end with fraud detected.</summary>
public sealed class KafkaWalkthroughTests() : TempDirectoryTest("vigil-walkthrough-")
{
    [Fact]
    public async Task Features_then_detect_on_the_featured_topic_with_a_trained_model_catch_fraud()
    {
        using var cluster = MockClusters.WithVigilTopics();
        var topics = new TopicOptions();

        // A model trained on simulated history, as the walkthrough does first.
        // Small enough that the mock cluster, which keeps about 5 MB per partition, trims none of the featured records.
        string[] population = ["--customers", "200", "--terminals", "400"];
        var history = Path.Combine(Directory, "history.csv");
        var model = Path.Combine(Directory, "gbt.json");
        Assert.Equal(0, (await CliRunner.RunAsync(["generate", "--out", history, "--days", "40", "--seed", "5", .. population])).ExitCode);
        var (trained, _, trainError) = await CliRunner.RunAsync(["train", "--data", history, "--out", model]);
        Assert.True(trained == 0, trainError);

        using var stop = new CancellationTokenSource();
        var features = CliRunner.RunAsync(["features", "--kafka", cluster.BootstrapServers], stop: stop.Token);
        var detect = CliRunner.RunAsync(["detect", "--kafka", cluster.BootstrapServers, "--input", topics.Featured, "--model", model], stop: stop.Token);
        var (generated, _, generateError) = await CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "max", "--days", "15", "--seed", "6", .. population]);
        Assert.True(generated == 0, generateError);
        var written = MockClusterReader.Count(cluster, topics.Transactions);
        long Decided() => MockClusterReader.Count(cluster, topics.Legit) + MockClusterReader.Count(cluster, topics.Fraud);
        for (var wait = 0; wait < 90 && Decided() < written; wait++)
        {
            await Task.Delay(1000);
        }

        await stop.CancelAsync();
        var (detected, detectOutput, detectError) = await detect;
        var (featured, _, featuresError) = await features;

        Assert.True(detected == 0, detectError + detectOutput);
        Assert.True(featured == 0, featuresError);
        Assert.Equal(written, Decided());
        var fraud = MockClusterReader.ReadAll(cluster, topics.Fraud);
        Assert.True(fraud.Count > 10, $"{fraud.Count} of {written:N0} flagged");
        Assert.All(fraud, record =>
        {
            var root = JsonDocument.Parse(record.Message.Value).RootElement;
            Assert.True(root.GetProperty("features").GetProperty("terminal_risk_30d").ValueKind == JsonValueKind.Number);
            Assert.StartsWith("gbt-", root.GetProperty("vigil").GetProperty("versions").GetProperty("model").GetString(), StringComparison.Ordinal);
        });
    }
}
