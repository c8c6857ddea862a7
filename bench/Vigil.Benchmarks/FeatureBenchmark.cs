using System.Diagnostics;
using Vigil.Features;
using Vigil.Simulation.Simulator;

namespace Vigil.Benchmarks;

/// <summary>The feature engine alone: transactions computed per second on one core, and the memory its state takes.</summary>
public static class FeatureBenchmark
{
    private static readonly TimeSpan LabelDelay = TimeSpan.FromDays(7);

    /// <summary>
    /// The handbook's default simulation (183 days, 1.75 million transactions) held in memory, then three rounds of
    /// the handbook's 14 features and of Vigil's default set computed over it on one thread, labels released after 7 days;
    /// then the cost of writing a feature value as text.
    /// </summary>
    public static int Throughput()
    {
        var transactions = Simulate(new SimulatorOptions { Seed = 1 }, days: null);
        Console.WriteLine($"{transactions.Count:N0} simulated transactions (handbook defaults), one thread");
        var sets = Environment.GetEnvironmentVariable("VIGIL_BENCH_EXTRA") is { } extra
            ? [FeatureSet.Create(FeatureSet.HandbookName, extra.Split(';'))]
            : new[] { FeatureSet.Handbook, FeatureSet.Vigil };
        foreach (var set in sets)
        {
            for (var round = 1; round <= 3; round++)
            {
                var engine = new FeatureEngine(set);
                var clock = Stopwatch.StartNew();
                Run(engine, transactions);
                clock.Stop();
                var perSecond = transactions.Count / clock.Elapsed.TotalSeconds;
                Console.WriteLine($"{set.Name} ({set.Count} features) round {round}: {clock.Elapsed.TotalSeconds:F3} s = {perSecond:N0} transactions/s " +
                                  $"({perSecond * set.Count:N0} feature values/s, {1e9 / perSecond:F0} ns each); state {engine.StateBytes() / 1e6:N1} MB for {engine.Entities:N0} entities");
            }
        }

        WriteValues();
        return 0;
    }

    /// <summary>What writing a feature value as text costs (the feature stage writes every value into its record).</summary>
    private static void WriteValues()
    {
        var random = new Random(1);
        var fractions = Enumerable.Range(0, 1000).Select(_ => random.Next(1, 100_000) / 100.0 / random.Next(1, 60)).ToArray();
        var wholes = fractions.Select(Math.Floor).ToArray();
        var buffer = new byte[FeatureValues.MaxLength];
        foreach (var (name, values) in new[] { ("non-integer (an average, a risk)", fractions), ("whole number (a count)", wholes) })
        {
            for (var round = 1; round <= 3; round++)
            {
                long bytes = 0;
                var clock = Stopwatch.StartNew();
                for (var repeat = 0; repeat < 2000; repeat++)
                {
                    foreach (var value in values)
                    {
                        bytes += FeatureValues.Write(value, buffer);
                    }
                }

                Console.WriteLine($"writing a {name} value, round {round}: {clock.Elapsed.TotalNanoseconds / (2000.0 * values.Length):F1} ns ({bytes:N0} bytes)");
            }
        }
    }

    /// <summary>
    /// The state of a million customers and 100,000 terminals: 40 days of the simulator at the handbook's rates per
    /// customer (about 2 million transactions a day), the radius scaled so each customer still has about 80 terminals.
    /// Arguments: [customers=1000000] [terminals=100000] [days=40].
    /// </summary>
    public static int Memory(string[] args)
    {
        var customers = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var terminals = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        var days = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 40;
        var radius = 5 * Math.Sqrt(10_000.0 / terminals);
        var simulator = new TransactionSimulator(new SimulatorOptions { Customers = customers, Terminals = terminals, Days = days, Radius = radius, Seed = 1 });
        foreach (var set in new[] { FeatureSet.Handbook, FeatureSet.Vigil })
        {
            simulator = new TransactionSimulator(new SimulatorOptions { Customers = customers, Terminals = terminals, Days = days, Radius = radius, Seed = 1 });
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var engine = new FeatureEngine(set);
            var labels = new DelayedLabels(LabelDelay);
            var values = new double[set.Count];
            long count = 0;
            var clock = Stopwatch.StartNew();
            while (!simulator.IsFinished)
            {
                foreach (ref readonly var t in simulator.NextDay().Span)
                {
                    var time = simulator.StartUnixMilliseconds + (t.TimeSeconds * 1000);
                    labels.ReleaseDue(time, engine);
                    engine.Compute(time, t.CustomerId, t.TerminalId + (1L << 40), t.AmountCents / 100.0, values);
                    labels.Hold(t.CustomerId, t.TerminalId + (1L << 40), time, t.IsFraud);
                    count++;
                }
            }

            clock.Stop();
            var after = GC.GetTotalMemory(forceFullCollection: true);
            var heap = after - before;
            Console.WriteLine($"{set.Name}: {customers:N0} customers, {terminals:N0} terminals, {days} days, {count:N0} transactions in {clock.Elapsed.TotalSeconds:F1} s");
            Console.WriteLine($"  entities in state {engine.Entities:N0}; estimated {engine.StateBytes() / 1e6:N0} MB = {engine.StateBytes() / (double)engine.Entities:N0} B per entity; " +
                              $"managed heap grew {heap / 1e6:N0} MB = {heap / (double)engine.Entities:N0} B per entity (simulator's day buffers included)");
            GC.KeepAlive(engine);
        }

        return 0;
    }

    private static List<(long TimeMs, long Customer, long Terminal, double Amount, bool Fraud)> Simulate(SimulatorOptions options, int? days)
    {
        var simulator = new TransactionSimulator(days is { } d ? new SimulatorOptions { Seed = options.Seed, Days = d } : options);
        var list = new List<(long, long, long, double, bool)>();
        while (!simulator.IsFinished)
        {
            foreach (ref readonly var t in simulator.NextDay().Span)
            {
                list.Add((simulator.StartUnixMilliseconds + (t.TimeSeconds * 1000), t.CustomerId, t.TerminalId + (1L << 40), t.AmountCents / 100.0, t.IsFraud));
            }
        }

        return list;
    }

    private static void Run(FeatureEngine engine, List<(long TimeMs, long Customer, long Terminal, double Amount, bool Fraud)> transactions)
    {
        var labels = new DelayedLabels(LabelDelay);
        var values = new double[engine.Set.Count];
        foreach (var (time, customer, terminal, amount, fraud) in transactions)
        {
            labels.ReleaseDue(time, engine);
            engine.Compute(time, customer, terminal, amount, values);
            labels.Hold(customer, terminal, time, fraud);
        }
    }
}
