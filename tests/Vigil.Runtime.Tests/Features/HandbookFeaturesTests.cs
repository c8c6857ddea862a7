using System.Globalization;
using System.IO.Compression;
using Vigil.Features;
using Vigil.Rules;
using Vigil.Runtime.Features;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sources;
using Vigil.Simulation.Datasets;
using Vigil.Simulation.Datasets.Replay;

namespace Vigil.Runtime.Tests.Features;

/// <summary>
/// The Fraud Detection Handbook's published features (../shared/data/handbook) recomputed from its raw transactions,
/// both as <c>vigil features</c> computes them over a file and as the streaming pipeline does.
/// </summary>
public sealed class HandbookFeaturesTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data/handbook");
    private static readonly string Raw = Path.Combine(Data, "raw_2018-05-20_2018-07-14.csv.gz");
    private static readonly Lazy<(string[] Header, Dictionary<long, string[]> Rows)> Published = new(ReadPublished);

    [Fact]
    public void The_batch_computation_reproduces_every_published_row()
    {
        using var source = ReplaySource.Open(new ReplayOptions { Path = Raw });
        var dataset = new FeatureDataset(source, FeatureSet.Handbook, SourceOutputs.DefaultLabelDelay);
        using var output = new MemoryStream();

        dataset.WriteTo(output);

        using var reader = new StreamReader(new MemoryStream(output.ToArray()));
        var header = reader.ReadLine()!.Split(',');
        Assert.Equal(Published.Value.Header, header);
        var compared = 0;
        while (reader.ReadLine() is { } line)
        {
            var row = line.Split(',');
            if (Published.Value.Rows.TryGetValue(long.Parse(row[0], CultureInfo.InvariantCulture), out var expected))
            {
                for (var f = 9; f < header.Length; f++)
                {
                    AssertFeature(expected, row[0], header[f], Parse(expected[f]), Parse(row[f]));
                }

                compared++;
            }
        }

        Assert.Equal(Published.Value.Rows.Count, compared);
        Assert.Equal(536_493, dataset.Rows);
    }

    [Fact]
    public async Task The_streaming_pipeline_reproduces_every_published_row()
    {
        var pipeline = new EmbeddedPipeline(
            new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(), FeatureSet.Handbook,
            new FeatureStageOptions { IdleTimeout = Timeout.InfiniteTimeSpan });
        var collector = FeatureCollector.Attach(Published.Value.Rows.ContainsKey, pipeline.Legit, pipeline.Fraud);
        var drain = Vigil.Runtime.Sinks.DiscardSink.Attach(pipeline.DeadLetters, "test");
        pipeline.Start();
        using var source = ReplaySource.Open(new ReplayOptions { Path = Raw });
        var publisher = new SourcePublisher(
            source,
            new SourceOutputs(pipeline.Transactions.CreateProducer(), pipeline.Labels.CreateProducer(), SourceOutputs.DefaultLabelDelay),
            SourcePacing.Unlimited);

        // Bounded waits that, when they run out, say where the records stand (a stall seen once in CI, not reproduced).
        string Where() => $"{publisher.Produced:N0} published, {publisher.LabelsReleased:N0} labels, {collector.Read:N0} collected; {pipeline.Status()}; features {pipeline.Status().Features}";
        await Within(publisher.RunAsync(CancellationToken.None), TimeSpan.FromMinutes(2), "publishing", Where);
        await Within(pipeline.DrainAsync(), TimeSpan.FromMinutes(2), "draining", Where);
        await Within(collector.Completion, TimeSpan.FromMinutes(1), "collecting", Where);
        await drain;

        Assert.Equal(536_493, collector.Read);
        Assert.Equal(Published.Value.Rows.Count, collector.Features.Count);
        Assert.Equal(0, collector.Duplicates);
        Assert.Equal(0, pipeline.Status().Features!.Late);
        foreach (var (id, expected) in Published.Value.Rows)
        {
            var streamed = collector.Features[id];
            for (var f = 9; f < Published.Value.Header.Length; f++)
            {
                var name = Published.Value.Header[f];
                AssertFeature(expected, id.ToString(CultureInfo.InvariantCulture), name, Parse(expected[f]), streamed[name]!.Value);
            }
        }
    }

    private static async Task Within(Task task, TimeSpan limit, string step, Func<string> where)
    {
        if (await Task.WhenAny(task, Task.Delay(limit)) != task)
        {
            Assert.Fail($"{step} did not end within {limit.TotalMinutes} min: {where()}");
        }

        await task;
    }

    private static void AssertFeature(string[] row, string id, string name, double expected, double actual)
    {
        var exact = name.Contains("_NB_TX_", StringComparison.Ordinal) || name.StartsWith("TX_", StringComparison.Ordinal);
        if (exact ? expected != actual : Math.Abs(expected - actual) > 1e-9)
        {
            Assert.Fail($"transaction {id} ({string.Join(',', row.Take(5))}): {name} is {actual}, published {expected}");
        }
    }

    private static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static (string[] Header, Dictionary<long, string[]> Rows) ReadPublished()
    {
        using var file = new GZipStream(File.OpenRead(Path.Combine(Data, "features_2018-07-01_2018-07-14.csv.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(file);
        var header = reader.ReadLine()!.Split(',');
        var rows = new Dictionary<long, string[]>();
        while (reader.ReadLine() is { } line)
        {
            var row = line.Split(',');
            rows.Add(long.Parse(row[0], CultureInfo.InvariantCulture), row);
        }

        Assert.Equal(134_189, rows.Count);
        return (header, rows);
    }
}
