using System.Diagnostics;
using System.Globalization;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sinks;
using Vigil.Runtime.Topics;
using Vigil.Simulation.Seed;

namespace Vigil.Benchmarks;

/// <summary>End-to-end throughput of the embedded pipeline: records replayed into the input topic, decided, routed.</summary>
public static class PipelineBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var records = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 20_000_000;
        var partitions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : Environment.ProcessorCount;

        // Pre-generate a pool of distinct seed records, replayed round-robin (a copy each, as from a socket).
        const int distinct = 1 << 16;
        var generator = new SeedTransactionGenerator(seed: 1);
        var values = new byte[distinct][];
        var keys = new Range[distinct];
        var buffer = new byte[SeedTransactionGenerator.MaxRecordLength];
        for (var i = 0; i < distinct; i++)
        {
            var length = generator.Next(buffer, out keys[i]);
            values[i] = buffer[..length];
        }

        for (var round = 0; round < 3; round++)
        {
            var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = partitions }, new TopicOptions(), RuleSet.AmountThreshold());
            var drains = new[] { pipeline.Legit, pipeline.Fraud, pipeline.DeadLetters }.Select(t => DiscardSink.Attach(t, "bench")).ToList();
            pipeline.Start();
            var gcBefore = GC.CollectionCount(0);
            var clock = Stopwatch.StartNew();
            var producer = pipeline.Transactions.CreateProducer();
            for (long n = 0; n < records; n++)
            {
                var value = values[n & (distinct - 1)];
                producer.Append(value.AsSpan(keys[n & (distinct - 1)]), value);
                if (producer.SealedBatches > 0)
                {
                    await producer.FlushAsync(all: false);
                }
            }

            await producer.FlushAsync();
            await pipeline.DrainAsync();
            await Task.WhenAll(drains);
            clock.Stop();
            var status = pipeline.Status();
            Console.WriteLine(
                $"round {round}: {status.Processed:N0} records in {clock.Elapsed.TotalSeconds:F2} s = {status.Processed / clock.Elapsed.TotalSeconds:N0} records/s; " +
                $"fraud {status.FraudShare:P2}; gen0 GCs {GC.CollectionCount(0) - gcBefore}; batches created {pipeline.Broker.Pool.Created}");
        }

        return 0;
    }
}
