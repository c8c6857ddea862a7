using System.Diagnostics;
using System.Globalization;
using Vigil.Features;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Quality;
using Vigil.Runtime.Sinks;
using Vigil.Runtime.Sources;
using Vigil.Simulation.Datasets;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;

namespace Vigil.Benchmarks;

/// <summary>The simulator on its own, as records, as a CSV dataset, and feeding the pipeline with live quality.</summary>
public static class SimulatorBenchmark
{
    /// <summary>
    /// Three rounds each of: the handbook's default simulation (183 days, 5,000 customers, 10,000 terminals) as
    /// transactions in memory; the same as JSON records with their labels (what a source publishes); the same written
    /// to a CSV file. Arguments: [file=/tmp/vigil-simulated.csv].
    /// </summary>
    public static int Run(string[] args)
    {
        var file = args.FirstOrDefault() ?? Path.Combine(Path.GetTempPath(), "vigil-simulated.csv");
        Console.WriteLine($"handbook defaults: 5,000 customers, 10,000 terminals, 183 days; {Environment.ProcessorCount} cores");
        for (var round = 1; round <= 3; round++)
        {
            var options = new SimulatorOptions { Seed = (ulong)round };
            var clock = Stopwatch.StartNew();
            var simulator = new TransactionSimulator(options);
            var setup = clock.Elapsed;
            long count = 0;
            while (!simulator.IsFinished)
            {
                count += simulator.NextDay().Length;
            }

            Report($"round {round} simulate", count, clock.Elapsed, $"(population {setup.TotalMilliseconds:N0} ms)");

            clock.Restart();
            var source = new SimulatorSource(new TransactionSimulator(options));
            long bytes = 0;
            count = 0;
            while (source.MoveNext())
            {
                bytes += source.Value.Length + source.Label.Length;
                count++;
            }

            Report($"round {round} records", count, clock.Elapsed, $"({bytes / 1e6:N0} MB of JSON transactions and labels)");

            clock.Restart();
            simulator = new TransactionSimulator(options);
            using (var writer = new SimulatedDatasetWriter(DatasetFile.Create(file), SimulatedDatasetFormat.Vigil))
            {
                while (!simulator.IsFinished)
                {
                    writer.Write(simulator.NextDay().Span, simulator.StartUnixMilliseconds);
                }

                writer.Dispose();
                Report($"round {round} csv file", writer.Rows, clock.Elapsed, $"({writer.Bytes / 1e6:N0} MB to {file})");
            }
        }

        File.Delete(file);
        return 0;
    }

    /// <summary>
    /// The embedded pipeline fed by the simulator as fast as it goes (183 days, labels released 7 days later, or at
    /// once with <c>--label-delay 0</c>), with the quality monitor joining decisions and labels, or without labels and
    /// quality (<c>--no-quality</c>), with a feature stage before detection (<c>--features vigil|handbook</c>).
    /// Three rounds. Arguments: [--no-quality] [--label-delay-days N] [--features NAME].
    /// </summary>
    public static async Task<int> PipelineAsync(string[] args)
    {
        var quality = !args.Contains("--no-quality");
        var delayDays = args.SkipWhile(a => a != "--label-delay-days").Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(7);
        var features = FeatureSet.Create(args.SkipWhile(a => a != "--features").Skip(1).FirstOrDefault(FeatureSet.NoneName));
        Console.WriteLine($"simulated pipeline: 183 days, {(quality ? $"labels after {delayDays} d and live quality" : "no labels, no quality")}, " +
                          $"features: {features.Name} ({features.Count}), {Environment.ProcessorCount} partitions");
        for (var round = 1; round <= 3; round++)
        {
            var pipeline = new EmbeddedPipeline(new PipelineOptions(), new TopicOptions(), RuleSet.AmountThreshold(220), features);
            var monitor = quality ? new QualityMonitor(pipeline.Legit, pipeline.Fraud, pipeline.Labels) : null;
            var sinks = new[] { pipeline.Legit, pipeline.Fraud, pipeline.DeadLetters }.Select(t => DiscardSink.Attach(t, "bench")).ToList();
            sinks.Add(monitor?.RunAsync() ?? DiscardSink.Attach(pipeline.Labels, "bench"));
            var outputs = new SourceOutputs(pipeline.Transactions.CreateProducer(), quality ? pipeline.Labels.CreateProducer() : null, TimeSpan.FromDays(delayDays));
            var source = new SimulatorSource(new TransactionSimulator(new SimulatorOptions { Seed = (ulong)round }));
            var publisher = new SourcePublisher(source, outputs, SourcePacing.Unlimited);
            pipeline.Start();
            var clock = Stopwatch.StartNew();
            await publisher.RunAsync(CancellationToken.None);
            await pipeline.DrainAsync();
            await Task.WhenAll(sinks);
            clock.Stop();
            var status = pipeline.Status();
            var joined = monitor?.Snapshot() is { } q ? $"; labelled {q.Labelled:N0}, recall {q.Matrix.Recall:P1}" : string.Empty;
            Report($"round {round}", status.Processed, clock.Elapsed, $"decided{joined}");
        }

        return 0;
    }

    private static void Report(string what, long records, TimeSpan elapsed, string detail) =>
        Console.WriteLine($"{what}: {records:N0} in {elapsed.TotalSeconds:F3} s = {records / elapsed.TotalSeconds:N0} /s {detail}");
}
