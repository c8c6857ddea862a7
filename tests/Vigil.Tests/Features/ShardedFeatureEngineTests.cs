using Vigil.Features;

namespace Vigil.Tests.Features;

public class ShardedFeatureEngineTests
{
    /// <summary>Every aggregate but risk (a server has no labels), over both entities, with the transaction's own features.</summary>
    private static readonly FeatureSet Set = FeatureSet.Create(FeatureSet.VigilName,
    [
        "customer_sum_amount_3h = sum_amount(customer, 3h)",
        "customer_avg_amount_2d_delay_1d = avg_amount(customer, 2d, delay 1d)",
        "terminal_max_amount_1h = max_amount(terminal, 1h)",
        "terminal_nb_customers_7d = distinct_counterparties(terminal, 7d)",
        "customer_same_amount_terminals_2d = same_amount_counterparties(customer, 2d)",
    ]);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    public void A_stream_in_time_order_gets_what_one_engine_computes(int shards)
    {
        var events = ReferenceFeatures.RandomStream(11, 600, TimeSpan.FromDays(30));
        var plain = new FeatureEngine(Set);
        var sharded = new ShardedFeatureEngine(Set, shards);
        var expected = new double[Set.Count];
        var computed = new double[Set.Count];
        foreach (var e in events)
        {
            plain.Compute(e.TimeMs, e.Customer, e.Terminal, e.Amount, expected);
            sharded.Compute(e.TimeMs, e.Customer, e.Terminal, e.Amount, computed);
            Assert.Equal(expected, computed);
        }

        Assert.Equal(events.Count, sharded.Computed);
        Assert.Equal(plain.Entities, sharded.Entities);
        Assert.Equal(0, sharded.Late);
        Assert.Equal(shards == 3 ? 4 : shards, sharded.Shards);
    }

    [Fact]
    public void Threads_computing_at_once_each_get_what_their_own_stream_gives()
    {
        // Every event in one second, so no thread's clock makes another's late: each thread's customers and terminals
        // are its own, and its results depend only on its own order, whatever the interleaving.
        const int threads = 4, perThread = 5_000;
        var time = new DateTimeOffset(2018, 4, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var streams = Enumerable.Range(0, threads).Select(t =>
        {
            var random = new Random(t);
            return Enumerable.Range(0, perThread)
                .Select(_ => new TestEvent(time + random.Next(1000), (t * 100) + random.Next(40), (t * 100) + random.Next(20), random.Next(1, 5) * 10.0, false))
                .ToArray();
        }).ToArray();
        var sharded = new ShardedFeatureEngine(Set, 4);
        var results = new double[threads][][];

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            results[t] = [.. streams[t].Select(e =>
            {
                var values = new double[Set.Count];
                sharded.Compute(e.TimeMs, e.Customer, e.Terminal, e.Amount, values);
                return values;
            })];
        });

        long entities = 0;
        for (var t = 0; t < threads; t++)
        {
            var plain = new FeatureEngine(Set);
            var expected = new double[Set.Count];
            for (var i = 0; i < perThread; i++)
            {
                var e = streams[t][i];
                plain.Compute(e.TimeMs, e.Customer, e.Terminal, e.Amount, expected);
                Assert.Equal(expected, results[t][i]);
            }

            entities += plain.Entities;
        }

        Assert.Equal(threads * perThread, sharded.Computed);
        Assert.Equal(entities, sharded.Entities);
    }

    [Fact]
    public void Unknown_keys_give_NaN_for_their_entity_and_values_must_fit()
    {
        var sharded = new ShardedFeatureEngine(Set, 2);
        var values = new double[Set.Count];
        sharded.Compute(0, customer: null, terminal: 7, 10, values);
        Assert.True(double.IsNaN(values[Set.IndexOf("customer_sum_amount_3h")]));
        Assert.Equal(10, values[Set.IndexOf("terminal_max_amount_1h")]);
        Assert.Throws<ArgumentException>(() => sharded.Compute(0, 1, 7, 10, new double[Set.Count - 1]));
    }
}
