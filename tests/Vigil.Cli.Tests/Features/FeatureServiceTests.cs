using System.Globalization;
using System.Text.Json;
using Vigil.Cli.Tests.Commands;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Tests.Features;

public sealed class FeatureServiceTests() : TempDirectoryTest("vigil-feature-service-")
{
    [Fact]
    public async Task On_kafka_the_feature_stage_reads_every_partition_and_computes_what_the_batch_computation_does()
    {
        using var cluster = MockClusters.WithVigilTopics(featured: true);
        var topics = new TopicOptions();

        string[] simulation = ["--customers", "150", "--terminals", "300", "--days", "12", "--seed", "4"];
        var (generated, _, generateError) = await CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "max", .. simulation]);
        Assert.True(generated == 0, generateError);
        var file = Path.Combine(Directory, "sim.csv");
        var batch = Path.Combine(Directory, "features.csv");
        Assert.Equal(0, (await CliRunner.RunAsync(["generate", "--out", file, .. simulation])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["features", "--data", file, "--out", batch, "--feature-set", "handbook"])).ExitCode);
        var expected = File.ReadAllLines(batch).Skip(1).Select(l => l.Split(',')).ToDictionary(r => long.Parse(r[0], CultureInfo.InvariantCulture));
        var header = File.ReadLines(batch).First().Split(',');

        var checkpoint = Path.Combine(Directory, "features.checkpoint");
        using var stop = new CancellationTokenSource();
        var service = CliRunner.RunAsync(["features", "--kafka", cluster.BootstrapServers, "--feature-set", "handbook", "--checkpoint", checkpoint], stop: stop.Token);
        var featured = MockClusterReader.Read(cluster, topics.Featured, expected.Count);
        await stop.CancelAsync();
        var (exitCode, output, error) = await service;

        Assert.True(exitCode == 0, error);
        Assert.Contains($"{expected.Count:N0} featured transactions acknowledged by the brokers", output, StringComparison.Ordinal);
        Assert.True(File.Exists(checkpoint));
        Assert.Equal(expected.Count, featured.Count);
        var risky = 0;
        foreach (var record in featured)
        {
            var root = JsonDocument.Parse(record.Message.Value).RootElement;
            var row = expected[root.GetProperty("transaction_id").GetInt64()];
            var features = root.GetProperty("features");
            for (var f = 7; f < header.Length; f++)
            {
                // Kafka does not order records across topics: a label may come a little later than on the embedded
                // runtime, so risks are compared only where the batch computation has none.
                if (header[f].Contains("_RISK_", StringComparison.Ordinal) && double.Parse(row[f], CultureInfo.InvariantCulture) > 0)
                {
                    risky++;
                    continue;
                }

                Assert.Equal(double.Parse(row[f], CultureInfo.InvariantCulture), features.GetProperty(header[f]).GetDouble(), 9);
            }
        }

        Assert.True(risky > 0);
    }
}
