using System.Collections;
using System.Text.Json;
using Vigil.Features;
using Vigil.Models;

namespace Vigil.Cli.Tests.Commands;

public sealed class KafkaCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-kafka-demo-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A model file that flags from a customer's third transaction of the day on: σ(customer_nb_tx_1d − 2.5) ≥ 0.5.</summary>
    private async Task<string> VelocityModelAsync()
    {
        var path = Path.Combine(_directory, "velocity.json");
        var features = new FeatureSet("vigil", [FeatureSet.Vigil.Definitions[FeatureSet.Vigil.IndexOf("customer_nb_tx_1d")]]);
        await File.WriteAllTextAsync(path, ModelJson.Serialize(
            new LogisticModel(["customer_nb_tx_1d"], [0], [1], [1], -2.5, 0.5) { Version = "lr-velocity", Features = features }));
        return path;
    }

    [Theory]
    [InlineData(new[] { "detect" }, "vigil: vigil detect needs Kafka: pass --kafka BROKERS or set KAFKA_BROKER_URL (try one with 'vigil kafka mock')")]
    [InlineData(new[] { "generate" }, "vigil: vigil generate needs Kafka: pass --kafka BROKERS or set KAFKA_BROKER_URL (try one with 'vigil kafka mock') (or --out FILE for a dataset file)")]
    [InlineData(new[] { "detect", "--kafka", "mock" }, "vigil: --kafka mock works with vigil demo only; for vigil detect, start one with 'vigil kafka mock' and pass its address")]
    [InlineData(new[] { "demo", "--kafka-config", "linger.ms" }, "vigil: invalid --kafka-config 'linger.ms': expected KEY=VALUE, e.g. security.protocol=SSL")]
    [InlineData(new[] { "kafka", "mock", "--brokers", "0" }, "vigil: invalid --brokers '0': expected a whole number from 1 to 16")]
    [InlineData(new[] { "features", "--kafka", "127.0.0.1:1", "--checkpoint", "f.ckpt", "--state-topic", "vigil.features.state" }, "vigil: --checkpoint FILE and --state-topic TOPIC both keep the feature state: give one")]
    [InlineData(new[] { "features", "--kafka", "127.0.0.1:1", "--state-topic", "" }, "vigil: invalid --state-topic '': expected a value")]
    public async Task Kafka_commands_without_what_they_need_print_one_line_and_exit_2(string[] args, string expected)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Equal(expected, error.TrimEnd('\n'));
    }

    [Fact]
    public async Task A_setting_librdkafka_does_not_know_is_one_line_and_exit_1()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(
            ["demo", "--kafka", "mock", "--no-dashboard", "--count", "10", "--kafka-config", "no.such.setting=1"]);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("vigil: invalid Kafka setting:", error, StringComparison.Ordinal);
        Assert.Contains("no.such.setting", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Demo_on_the_mock_cluster_decides_every_simulated_transaction_and_joins_the_labels_it_holds()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["demo", "--kafka", "mock", "--count", "3000", "--rate", "5000", "--out", _directory, "--no-dashboard", "--partitions", "2"],
            new Hashtable { ["FRAUD_TOPIC"] = "alerts.fraud" });

        Assert.True(exitCode == 0, error);
        Assert.Contains("Kafka mock cluster at 127.0.0.1:", output, StringComparison.Ordinal);
        Assert.Contains("3,000 generated, 3,000 processed", output, StringComparison.Ordinal);
        var legit = await File.ReadAllLinesAsync(Path.Combine(_directory, "streaming.transactions.legit.jsonl"));
        var fraud = await File.ReadAllLinesAsync(Path.Combine(_directory, "alerts.fraud.jsonl"));
        Assert.Equal(3000, legit.Length + fraud.Length);
        Assert.All(fraud, l => Assert.True(JsonDocument.Parse(l).RootElement.GetProperty("amount").GetDouble() >= 220));
        Assert.Equal(3000, File.ReadLines(Path.Combine(_directory, "queueing.labels.jsonl")).Count());
        Assert.Contains("(3,000 labelled)", output, StringComparison.Ordinal);
        Assert.Contains("kafka: assigned vigil.transactions.featured [0,1]", error, StringComparison.Ordinal);
        Assert.All(legit.Take(100), l => Assert.True(JsonDocument.Parse(l).RootElement.GetProperty("features").TryGetProperty("customer_nb_tx_1d", out _)));
    }

    [Fact]
    public async Task Demo_on_the_mock_cluster_scores_a_model_on_what_the_feature_stage_computed()
    {
        var model = await VelocityModelAsync();

        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["demo", "--kafka", "mock", "--count", "2000", "--rate", "5000", "--out", _directory, "--no-dashboard", "--model", model]);

        Assert.True(exitCode == 0, error + output);
        Assert.Contains("2,000 generated, 2,000 processed", output, StringComparison.Ordinal);
        var decided = (await File.ReadAllLinesAsync(Path.Combine(_directory, "streaming.transactions.legit.jsonl")))
            .Concat(await File.ReadAllLinesAsync(Path.Combine(_directory, "streaming.transactions.fraud.jsonl")))
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2000, decided.Count);
        Assert.All(decided, d =>
        {
            Assert.Equal("lr-velocity", d.GetProperty("vigil").GetProperty("versions").GetProperty("model").GetString());
            var velocity = d.GetProperty("features").GetProperty("customer_nb_tx_1d").GetDouble() >= 3;
            Assert.Equal(velocity || d.GetProperty("amount").GetDouble() >= 220, d.GetProperty("vigil").GetProperty("fraud").GetBoolean());
        });
        Assert.Contains(decided, d => d.GetProperty("amount").GetDouble() < 220 && d.GetProperty("vigil").GetProperty("fraud").GetBoolean());
    }

    [Fact]
    public async Task On_a_shared_cluster_the_demo_computes_features_only_with_a_checkpoint()
    {
        var model = await VelocityModelAsync();

        var (exitCode, _, error) = await CliRunner.RunAsync(["demo", "--kafka", "127.0.0.1:1", "--model", model, "--no-dashboard"]);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("vigil: the model reads features, and vigil demo --kafka on a shared cluster computes them only with --checkpoint FILE", error, StringComparison.Ordinal);
    }
}
