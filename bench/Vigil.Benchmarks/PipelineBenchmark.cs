using System.Diagnostics;
using System.Globalization;
using Vigil.Rules;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Sinks;
using Vigil.Streams;
using Vigil.Simulation.Seed;

namespace Vigil.Benchmarks;

/// <summary>End-to-end measurements of the embedded pipeline with the seed rule.</summary>
public static class PipelineBenchmark
{
    /// <summary>
    /// Throughput: seed records replayed unthrottled into the input topic (a copy each, as from a socket), decided and
    /// routed to the output topics, read by discarding sinks (or JSON Lines files with <c>--jsonl DIR</c>).
    /// Arguments: [records=20000000] [partitions=cores] [--jsonl DIR].
    /// </summary>
    public static async Task<int> ThroughputAsync(string[] args)
    {
        var positional = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var records = positional.Length > 0 ? long.Parse(positional[0], CultureInfo.InvariantCulture) : 20_000_000;
        var partitions = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        var jsonl = Option(args, "--jsonl");

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

        Console.WriteLine($"{records:N0} seed records, {partitions} partitions, sinks: {(jsonl is null ? "discard" : "JSON Lines in " + jsonl)}, {Environment.ProcessorCount} cores");
        for (var round = 1; round <= 3; round++)
        {
            var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = partitions }, new TopicOptions(), RuleSet.AmountThreshold());
            var outputs = new[] { pipeline.Legit, pipeline.Fraud, pipeline.DeadLetters };
            var files = jsonl is null ? [] : outputs.Select(t => new JsonLinesSink(t, jsonl)).ToList();
            var sinks = jsonl is null ? outputs.Select(t => DiscardSink.Attach(t, "bench")).ToList() : files.Select(f => f.RunAsync()).ToList();
            pipeline.Start();
            var collections = GC.CollectionCount(0);
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
            await Task.WhenAll(sinks);
            clock.Stop();
            foreach (var file in files)
            {
                await file.DisposeAsync();
            }

            var status = pipeline.Status();
            Console.WriteLine(
                $"round {round}: {status.Processed:N0} routed in {clock.Elapsed.TotalSeconds:F2} s = {status.Processed / clock.Elapsed.TotalSeconds:N0} records/s; " +
                $"fraud {status.FraudShare:P2}; gen0 collections {GC.CollectionCount(0) - collections}; batches allocated {pipeline.Broker.Pool.Created}");
        }

        return 0;
    }

    /// <summary>
    /// Latency: the seed generator paced at a rate, in this process, into the pipeline; reports the decision latency
    /// (a record's batch entering the input topic to its decision). Arguments: [rate=100000] [seconds=30].
    /// </summary>
    public static async Task<int> LatencyAsync(string[] args)
    {
        var rate = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var pipeline = new EmbeddedPipeline(new PipelineOptions(), new TopicOptions(), RuleSet.AmountThreshold());
        var sinks = new[] { pipeline.Legit, pipeline.Fraud, pipeline.DeadLetters }.Select(t => DiscardSink.Attach(t, "bench")).ToList();
        await pipeline.WarmUpAsync();
        pipeline.Start();
        var source = new SourcePublisher(
            new SeedTransactionGenerator(seed: 2), new SourceOutputs(pipeline.Transactions.CreateProducer()), SourcePacing.PerSecond(rate));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        await source.RunAsync(stop.Token);
        await pipeline.DrainAsync();
        await Task.WhenAll(sinks);

        var latency = new LatencyHistogram();
        foreach (var worker in pipeline.Workers)
        {
            latency.Add(worker.Processor.Latency);
        }

        var status = pipeline.Status();
        Console.WriteLine($"target {rate:N0} tx/s for {seconds:N0} s: {status.Processed:N0} decided = {status.Processed / status.Elapsed.TotalSeconds:N0} tx/s");
        Console.WriteLine(string.Join(" · ", Quantiles.Select(q => $"p{q * 100:0.#} {latency.Percentile(q) / 1e3:N1} µs")) +
                          $" · max {latency.MaxNanoseconds / 1e3:N1} µs");
        return 0;
    }

    private static readonly double[] Quantiles = [0.5, 0.9, 0.99, 0.999];

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
