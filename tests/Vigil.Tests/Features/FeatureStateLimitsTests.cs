using Vigil.Features;

namespace Vigil.Tests.Features;

/// <summary>The bounds on feature state: entities kept (least recently seen out) and transactions per entity.</summary>
public class FeatureStateLimitsTests
{
    private static readonly long Start = new DateTimeOffset(2018, 4, 2, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static readonly FeatureSet Windows = FeatureSet.Create(FeatureSet.NoneName,
    [
        "n = count(customer, 1d)",
        "sum = sum_amount(customer, 1d)",
        "max = max_amount(customer, 1d)",
        "terminals = distinct_counterparties(customer, 1d)",
        "terminal_n = count(terminal, 1d)",
    ]);

    [Fact]
    public void Beyond_the_entity_bound_the_least_recently_seen_are_forgotten_and_the_recent_kept()
    {
        var engine = new FeatureEngine(Windows, new FeatureStateLimits(MaxEntities: 100));
        var values = new double[Windows.Count];
        for (var customer = 0; customer < 1_000; customer++)
        {
            engine.Compute(Start + (customer * 1000L), customer, 5_000 + customer, 10, values);
        }

        // Three groups (customer amounts, customer counterparties, terminals): each holds at most its bound.
        Assert.InRange(engine.Entities, 3 * 90, 3 * 100);
        Assert.True(engine.Evicted >= 3 * 900);
        engine.Compute(Start + 1_000_000, 999, 5_999, 10, values);
        Assert.Equal(2, values[Windows.IndexOf("n")]); // the latest customer was kept
        engine.Compute(Start + 1_001_000, 0, 5_000, 10, values);
        Assert.Equal(1, values[Windows.IndexOf("n")]); // the first was forgotten
    }

    [Fact]
    public void Beyond_the_event_bound_an_entitys_windows_hold_its_latest_transactions_exactly()
    {
        const int bound = 100;
        var engine = new FeatureEngine(Windows, new FeatureStateLimits(MaxEventsPerEntity: bound));
        var values = new double[Windows.Count];
        var amounts = new List<int>();
        var random = new Random(3);
        for (var i = 0; i < 700; i++)
        {
            var cents = random.Next(100, 100_000);
            amounts.Add(cents);
            engine.Compute(Start + (i * 60_000L), 7, 100 + (i % 250), cents / 100.0, values);
            var latest = amounts.TakeLast(bound).ToList();
            Assert.Equal(latest.Count, values[Windows.IndexOf("n")]);
            Assert.Equal(latest.Sum() / 100.0, values[Windows.IndexOf("sum")], 6);
            Assert.Equal(latest.Max() / 100.0, values[Windows.IndexOf("max")], 6);
            Assert.Equal(Enumerable.Range(Math.Max(0, i - bound + 1), Math.Min(i + 1, bound)).Select(j => j % 250).Distinct().Count(), values[Windows.IndexOf("terminals")]);
        }

        Assert.True(engine.Truncated > 0);
    }

    [Fact]
    public void A_sharded_engine_shares_the_entity_bound_among_its_shards()
    {
        var engine = new ShardedFeatureEngine(Windows, shards: 4, new FeatureStateLimits(MaxEntities: 400));
        var values = new double[Windows.Count];
        for (var customer = 0; customer < 20_000; customer++)
        {
            engine.Compute(Start + (customer * 1000L), customer, customer, 10, values);
        }

        Assert.InRange(engine.Entities, 1, 3 * 400);
        Assert.True(engine.Evicted > 0);
    }

    [Theory]
    [InlineData(9, 10)]
    [InlineData(100, 0)]
    public void Bounds_below_their_minimum_are_refused(int entities, int events) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureEngine(Windows, new FeatureStateLimits(entities, events)));
}
