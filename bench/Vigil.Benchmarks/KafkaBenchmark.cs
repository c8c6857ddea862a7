using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Detection;
using Vigil.Kafka.Mock;
using Vigil.Kafka.Sources;
using Vigil.Rules;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sources;
using Vigil.Streams;
using Vigil.Simulation.Seed;

namespace Vigil.Benchmarks;

/// <summary>
/// Kafka mode on librdkafka's mock cluster, side by side in one run: the cluster's own ceiling measured with kcat,
/// the seed's Python detector (kafka-python) and Vigil's detector, each consuming the same input and producing its
/// decisions; then Vigil's end-to-end latency at a paced rate.
/// </summary>
public static class KafkaBenchmark
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Arguments: [records=300000] [partitions=8] [latency rate=10000] [latency seconds=20].</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var records = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300_000;
        var partitions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        var rate = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10_000;
        var seconds = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 20;

        using var cluster = new MockCluster(brokers: 1);
        const string input = "bench.transactions";
        foreach (var topic in new[] { input, "bench.python.legit", "bench.python.fraud", "bench.vigil.legit", "bench.vigil.fraud", "bench.vigil.dead", "bench.kcat" })
        {
            cluster.CreateTopic(topic, partitions);
        }

        Console.WriteLine($"mock cluster, 1 broker, {partitions} partitions per topic, {records:N0} seed transactions; {Environment.ProcessorCount} cores");

        // The input, written by kcat: its produce rate is the cluster's ceiling.
        var file = Path.Combine(Path.GetTempPath(), $"vigil-bench-{Guid.NewGuid():N}.txt");
        WriteSeedRecords(file, records);
        try
        {
            var produce = await TimeAsync("/usr/bin/kcat", "-P", "-b", cluster.BootstrapServers, "-t", input, "-K", "\t", "-l", file);
            Report("kcat produce (cluster ceiling)", records, produce);
            var kcatConsume = await TimeAsync("/usr/bin/kcat", "-C", "-b", cluster.BootstrapServers, "-t", input, "-o", "beginning", "-e", "-q", "-f", "\n");
            Report("kcat consume", records, kcatConsume);
        }
        finally
        {
            File.Delete(file);
        }

        var python = await PythonDetectorAsync(cluster.BootstrapServers, input, records);
        Report("seed-style Python detector (kafka-python)", records, python);

        // Two rounds, each a new consumer group over the same input: the first includes JIT compilation.
        var cold = VigilDetector(cluster.BootstrapServers, input, records, "bench-vigil-1");
        Report("Vigil detector, round 1 (cold)", records, cold);
        var warm = VigilDetector(cluster.BootstrapServers, input, records, "bench-vigil-2");
        Report("Vigil detector, round 2 (consume, decide, produce, acked)", records, warm);
        Console.WriteLine($"Vigil / Python = {python / cold:N1}x cold, {python / warm:N1}x warm");

        await LatencyAsync(cluster, partitions, rate, seconds);
        return 0;
    }

    private static void Report(string what, int records, TimeSpan elapsed) =>
        Console.WriteLine($"{what,-58} {records / elapsed.TotalSeconds,12:N0} records/s  ({elapsed.TotalSeconds:N2} s)");

    private static void WriteSeedRecords(string path, int records)
    {
        var generator = new SeedTransactionGenerator(seed: 11);
        var buffer = new byte[SeedTransactionGenerator.MaxRecordLength];
        using var writer = new StreamWriter(path, append: false, Encoding.UTF8);
        for (var i = 0; i < records; i++)
        {
            var length = generator.Next(buffer, out var key);
            writer.Write(Encoding.UTF8.GetString(buffer.AsSpan(key)));
            writer.Write('\t');
            writer.Write(Encoding.UTF8.GetString(buffer, 0, length));
            writer.Write('\n');
        }
    }

    private static async Task<TimeSpan> TimeAsync(string program, params string[] args)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var drained = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Timeout);
        await drained;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed: {await error}");
        }

        return clock.Elapsed;
    }

    /// <summary>The seed's detector, timed by itself from its first record to its last one flushed.</summary>
    private static async Task<TimeSpan> PythonDetectorAsync(string bootstrap, string input, int records)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "python", "seed_detector.py");
        var start = new ProcessStartInfo("/usr/bin/python3", [Path.GetFullPath(script), records.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["KAFKA_BROKER_URL"] = bootstrap,
                ["TRANSACTIONS_TOPIC"] = input,
                ["LEGIT_TOPIC"] = "bench.python.legit",
                ["FRAUD_TOPIC"] = "bench.python.fraud",
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Timeout);
        var fields = (await output).Trim().Split(' ');
        if (process.ExitCode != 0 || fields.Length != 3)
        {
            throw new InvalidOperationException($"the Python detector failed: {await error}");
        }

        return TimeSpan.FromSeconds(double.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Vigil's detector, timed from its first record to the brokers' acknowledgement of its last output.</summary>
    private static TimeSpan VigilDetector(string bootstrap, string input, int records, string group)
    {
        var topics = new TopicOptions { Transactions = input, Legit = "bench.vigil.legit", Fraud = "bench.vigil.fraud", DeadLetter = "bench.vigil.dead" };
        var clients = new KafkaClients(new KafkaOptions { BootstrapServers = bootstrap, GroupId = group });
        using var detector = new KafkaDetector(clients, topics, RuleSet.AmountThreshold());
        using var stop = new CancellationTokenSource();
        var running = detector.RunAsync(stop.Token);
        var deadline = Stopwatch.StartNew();
        while (detector.Status().Processed == 0 && deadline.Elapsed < Timeout)
        {
            Thread.Sleep(1);
        }

        var clock = Stopwatch.StartNew();
        while (detector.Delivered < records && deadline.Elapsed < Timeout && !running.IsCompleted)
        {
            Thread.Sleep(1);
        }

        var elapsed = clock.Elapsed;
        stop.Cancel();
        running.Wait(Timeout);
        return elapsed;
    }

    /// <summary>
    /// The generator paced into the cluster while the detector runs and a reader follows the outputs: end-to-end
    /// latency is the reader's clock minus the output's timestamp, which is the input's (the generator's send time).
    /// </summary>
    private static async Task LatencyAsync(MockCluster cluster, int partitions, double rate, double seconds)
    {
        var topics = new TopicOptions { Transactions = "latency.transactions", Legit = "latency.legit", Fraud = "latency.fraud", DeadLetter = "latency.dead" };
        foreach (var topic in new[] { topics.Transactions, topics.Legit, topics.Fraud, topics.DeadLetter })
        {
            cluster.CreateTopic(topic, partitions);
        }

        var clients = new KafkaClients(new KafkaOptions { BootstrapServers = cluster.BootstrapServers, GroupId = "latency-vigil" });
        using var detector = new KafkaDetector(clients, topics, RuleSet.AmountThreshold());
        using var stopDetector = new CancellationTokenSource();
        var detecting = detector.RunAsync(stopDetector.Token);
        while (detector.Assignment.Count == 0)
        {
            await Task.Delay(50);
        }

        // The first seconds are a warm-up, left out: fresh clients spend about a second finding partition leaders.
        var warmUp = TimeSpan.FromSeconds(3);
        var measureFrom = DateTimeOffset.UtcNow.Add(warmUp).ToUnixTimeMilliseconds();
        var endToEnd = new LatencyHistogram();
        using var stopReader = new CancellationTokenSource();
        var reading = Task.Factory.StartNew(() => Follow(cluster.BootstrapServers, [topics.Legit, topics.Fraud], partitions, measureFrom, endToEnd, stopReader.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        using var writer = new KafkaRecordWriter(clients, topics.Transactions);
        var source = new SourcePublisher(new SeedTransactionGenerator(seed: 12), new SourceOutputs(writer), SourcePacing.PerSecond(rate));
        using (var stop = new CancellationTokenSource(warmUp + TimeSpan.FromSeconds(seconds)))
        {
            await source.RunAsync(stop.Token);
        }

        var measured = (long)(rate * seconds);
        for (var i = 0; i < 200 && endToEnd.Count < measured * 0.99; i++)
        {
            await Task.Delay(50);
        }

        await stopReader.CancelAsync();
        await reading;
        await stopDetector.CancelAsync();
        await detecting;
        var decision = detector.Status();
        Console.WriteLine($"latency at {rate:N0} tx/s for {seconds:N0} s after a {warmUp.TotalSeconds:N0} s warm-up ({endToEnd.Count:N0} transactions measured):");
        Console.WriteLine($"  end to end (generator send -> output readable): p50 {endToEnd.Percentile(0.5) / 1e6:N1} ms · p99 {endToEnd.Percentile(0.99) / 1e6:N1} ms · max {endToEnd.MaxNanoseconds / 1e6:N1} ms");
        Console.WriteLine($"  decision (generator send -> decided, whole run): p50 {decision.LatencyP50Nanoseconds / 1e6:N1} ms · p99 {decision.LatencyP99Nanoseconds / 1e6:N1} ms");
    }

    private static void Follow(string bootstrap, string[] topics, int partitions, long measureFrom, LatencyHistogram latency, CancellationToken stop)
    {
        var config = new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "latency-reader", EnableAutoCommit = false, FetchWaitMaxMs = 10 };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(topics.SelectMany(t => Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(t, p, Offset.Beginning))));
        while (!stop.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { } result && result.Message.Timestamp.UnixTimestampMs >= measureFrom)
            {
                latency.Record((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - result.Message.Timestamp.UnixTimestampMs) * 1_000_000);
            }
        }
    }
}
