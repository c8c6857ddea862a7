using FsCheck;
using FsCheck.Fluent;
using Vigil.Features;

namespace Vigil.Tests.Features;

public class FeatureEngineTests
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly long Start = new DateTimeOffset(2018, 4, 2, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private const long Day = 86_400_000;

    /// <summary>Every aggregate Vigil has, delayed and not, short windows and long.</summary>
    private static readonly FeatureSet Everything = FeatureSet.Create(FeatureSet.VigilName,
    [
        "customer_sum_amount_3h = sum_amount(customer, 3h)",
        "customer_avg_amount_2d_delay_1d = avg_amount(customer, 2d, delay 1d)",
        "customer_risk_5d = risk(customer, 5d, delay 2d)",
        "terminal_max_amount_1h = max_amount(terminal, 1h)",
        "terminal_nb_customers_7d = distinct_counterparties(terminal, 7d)",
        "customer_same_amount_terminals_2d = same_amount_counterparties(customer, 2d)",
    ]);

    [Fact]
    public void Every_feature_equals_a_plain_recomputation_over_random_streams()
    {
        Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var events = ReferenceFeatures.RandomStream(seed, 400, TimeSpan.FromDays(60));
            var delay = TimeSpan.FromDays(new[] { 0, 3, 7, 10 }[seed % 4]);
            var computed = ReferenceFeatures.Run(new FeatureEngine(Everything), events, delay);
            for (var i = 0; i < events.Count; i++)
            {
                var expected = ReferenceFeatures.Compute(Everything, events, i, delay);
                for (var f = 0; f < expected.Length; f++)
                {
                    if (Math.Abs(expected[f] - computed[i][f]) > 1e-9)
                    {
                        throw new InvalidOperationException(
                            $"seed {seed}, transaction {i}: {Everything.Definitions[f]} is {computed[i][f]}, a plain recomputation gives {expected[f]}");
                    }
                }
            }

            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40));
    }

    [Fact]
    public void Entities_that_come_back_after_being_forgotten_start_afresh_in_a_reused_history()
    {
        // Every ten days a new set of four customers and three terminals is active; the sets come back every thirty
        // days, long after their windows emptied and they were forgotten. A forgotten history is emptied and kept for
        // the next new entity: whatever it held must not leak into what that entity sees.
        var set = FeatureSet.Create(FeatureSet.NoneName,
        [
            "sum = sum_amount(customer, 1d)",
            "avg = avg_amount(customer, 2d, delay 1d)",
            "risk = risk(customer, 1d, delay 1d)",
            "max = max_amount(terminal, 1d)",
            "customers = distinct_counterparties(terminal, 1d)",
            "same = same_amount_counterparties(customer, 1d)",
        ]);
        var random = new Random(11);
        var events = new List<TestEvent>();
        var time = Start;
        for (var i = 0; i < 1500; i++)
        {
            time += random.Next(0, 12 * 3_600_000);
            var era = (time - Start) / (10 * Day) % 3;
            var amount = random.Next(3) == 0 ? 20.00 : random.Next(1, 50_000) / 100.0;
            events.Add(new TestEvent(time, (era * 10) + random.Next(4), 1000 + (era * 10) + random.Next(3), amount, random.Next(5) == 0));
        }

        var delay = TimeSpan.FromDays(1);
        var engine = new FeatureEngine(set);
        var computed = ReferenceFeatures.Run(engine, events, delay);

        Assert.All(engine.Tables, table => Assert.True(table.Reused >= 20, $"{table.Entity}: {table.Reused} histories reused"));
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Equal(ReferenceFeatures.Compute(set, events, i, delay), computed[i], (a, b) => Math.Abs(a - b) <= 1e-9);
        }
    }

    [Fact]
    public void A_peek_sees_what_the_transaction_would_get_and_leaves_the_state_as_it_was()
    {
        var events = ReferenceFeatures.RandomStream(7, 400, TimeSpan.FromDays(20));
        var plain = ReferenceFeatures.Run(new FeatureEngine(Everything), events, TimeSpan.FromDays(3));
        var engine = new FeatureEngine(Everything);
        var labels = new DelayedLabels(TimeSpan.FromDays(3));
        var peeked = new double[Everything.Count];
        var computed = new double[Everything.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            labels.ReleaseDue(e.TimeMs, engine);
            var (clock, late, entities) = (engine.Clock, engine.Late, engine.Entities);
            engine.Peek(e.TimeMs, e.Customer, e.Terminal, e.Amount, peeked);
            engine.Peek(e.TimeMs + Day, e.Customer + 1_000_000, e.Terminal, e.Amount, new double[Everything.Count]); // a stranger, a day ahead
            Assert.Equal((clock, late, entities), (engine.Clock, engine.Late, engine.Entities));
            engine.Compute(e.TimeMs, e.Customer, e.Terminal, e.Amount, computed);
            labels.Hold(e.Customer, e.Terminal, e.TimeMs, e.Fraud);
            Assert.Equal(plain[i], computed);
            Assert.Equal(computed, peeked);
        }

        Assert.Equal(events.Count, engine.Computed);
    }

    [Fact]
    public void A_window_of_n_days_holds_what_is_later_than_exactly_n_days_ago()
    {
        var set = FeatureSet.Create(FeatureSet.NoneName, ["n = count(customer, 1d)", "s = sum_amount(customer, 1d)"]);
        var engine = new FeatureEngine(set);
        var values = new double[2];

        engine.Compute(Start, 1, 9, 10, values);
        Assert.Equal([1, 10], values);
        engine.Compute(Start + Day - 1000, 1, 9, 5, values);
        Assert.Equal([2, 15], values);
        engine.Compute(Start + Day, 1, 9, 1, values); // the first is now exactly a day old: out
        Assert.Equal([2, 6], values);
        engine.Compute(Start + Day + 999, 1, 9, 1, values); // the same second: milliseconds do not count
        Assert.Equal([3, 7], values);
    }

    [Fact]
    public void A_delayed_window_counts_what_lies_between_delay_plus_window_and_delay_ago_and_only_released_frauds()
    {
        var set = FeatureSet.Create(FeatureSet.NoneName, ["n = count(terminal, 1d, delay 7d)", "risk = risk(terminal, 1d, delay 7d)"]);
        var engine = new FeatureEngine(set);
        var labels = new DelayedLabels(Week);
        var values = new double[2];
        void Transaction(long time, bool fraud)
        {
            labels.ReleaseDue(time, engine);
            engine.Compute(time, 1, 5, 10, values);
            labels.Hold(1, 5, time, fraud);
        }

        Transaction(Start, fraud: true);
        Transaction(Start + Day, fraud: false);
        Assert.Equal([0, 0], values); // nothing is a week old yet
        Transaction(Start + (7 * Day), fraud: false); // the first is exactly 7 days old: in (t − 8d, t − 7d], and its label was released at t
        Assert.Equal([1, 1], values);
        Transaction(Start + (8 * Day) - 1000, fraud: false);
        Assert.Equal([1, 1], values);
        Transaction(Start + (8 * Day), fraud: false); // the first left, the second (genuine) came in
        Assert.Equal([1, 0], values);
    }

    [Fact]
    public void Without_a_customer_its_features_are_unknown_and_the_rest_are_computed()
    {
        var engine = new FeatureEngine(FeatureSet.Vigil);
        var values = new double[FeatureSet.Vigil.Count];

        engine.Compute(Start, customer: null, terminal: 4, amount: 12.5, values);

        Assert.True(double.IsNaN(values[FeatureSet.Vigil.IndexOf("customer_nb_tx_7d")]));
        Assert.Equal(12.5, values[FeatureSet.Vigil.IndexOf("tx_amount")]);
        Assert.Equal(1, values[FeatureSet.Vigil.IndexOf("terminal_same_amount_customers_1d")]);
    }

    [Fact]
    public void A_late_transaction_is_computed_as_of_the_newest_time_and_counted()
    {
        var set = FeatureSet.Create(FeatureSet.NoneName, ["n = count(customer, 1d)", "hour = hour"]);
        var engine = new FeatureEngine(set);
        var values = new double[2];
        engine.Compute(Start, 1, 9, 10, values);
        engine.Compute(Start + (2 * Day), 2, 9, 10, values);

        engine.Compute(Start + 3_600_000, 1, 9, 10, values); // an hour after the first, but two days late

        Assert.Equal(1, engine.Late);
        Assert.Equal(1, values[0]); // as of the newest time, the first has left the window
        Assert.Equal(13, values[1]); // its own hour
    }

    [Fact]
    public void Idle_entities_are_evicted_once_their_longest_window_has_passed()
    {
        var engine = new FeatureEngine(FeatureSet.Handbook);
        var values = new double[FeatureSet.Handbook.Count];
        for (var customer = 0; customer < 1000; customer++)
        {
            engine.Compute(Start + customer, customer, customer % 100, 10, values);
        }

        Assert.Equal(1100, engine.Entities);
        for (var i = 0; i < 2000; i++)
        {
            engine.Compute(Start + (40 * Day) + i, 5000 + (i % 3), 7, 10, values);
        }

        Assert.Equal(4, engine.Entities); // 3 customers and terminal 7, active in the last 37 days
        Assert.Equal(1099, engine.Evicted);
    }

    [Fact]
    public void Handbook_rates_keep_state_under_600_bytes_per_entity()
    {
        // A customer with two transactions a day and a terminal with one: the handbook's averages.
        var engine = new FeatureEngine(FeatureSet.Handbook);
        var values = new double[FeatureSet.Handbook.Count];
        for (var day = 0; day < 60; day++)
        {
            for (var c = 0; c < 100; c++)
            {
                engine.Compute(Start + (day * Day) + (c * 1000), c, 1000 + ((c + day) % 200), 25.5, values);
                engine.Compute(Start + (day * Day) + (c * 1000) + 500_000, c, 1000 + ((c + day + 100) % 200), 25.5, values);
            }
        }

        Assert.Equal(300, engine.Entities);
        Assert.InRange(engine.StateBytes() / (double)engine.Entities, 100, 600);
    }

    [Fact]
    public void A_checkpoint_restored_into_a_new_engine_continues_exactly_as_the_first_would()
    {
        var events = ReferenceFeatures.RandomStream(seed: 7, 2000, TimeSpan.FromDays(50));
        var uninterrupted = ReferenceFeatures.Run(new FeatureEngine(Everything), events, Week);

        var first = new FeatureEngine(Everything);
        var labels = new DelayedLabels(Week);
        ReferenceFeatures.Run(first, events.Take(1200).ToList(), Week, labels: labels);
        using var checkpoint = new MemoryStream();
        first.Save(new BinaryWriter(checkpoint));
        checkpoint.Position = 0;
        var second = new FeatureEngine(Everything);
        second.Restore(new BinaryReader(checkpoint));

        var resumed = ReferenceFeatures.Run(second, events, Week, from: 1200, labels: labels);

        Assert.Equal(first.Entities, second.Entities);
        for (var i = 0; i < resumed.Count; i++)
        {
            Assert.Equal(uninterrupted[1200 + i], resumed[i]);
        }
    }

    [Fact]
    public void A_checkpoint_of_other_features_is_refused()
    {
        using var checkpoint = new MemoryStream();
        new FeatureEngine(FeatureSet.Handbook).Save(new BinaryWriter(checkpoint));
        checkpoint.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => new FeatureEngine(FeatureSet.Vigil).Restore(new BinaryReader(checkpoint)));
        Assert.Contains("other features", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Time_features_follow_the_handbook_night_ends_at_seven()
    {
        var set = FeatureSet.Create(FeatureSet.NoneName, ["w = weekend", "n = night", "h = hour", "d = day_of_week"]);
        var engine = new FeatureEngine(set);
        var values = new double[4];
        var saturday = new DateTimeOffset(2018, 4, 7, 6, 59, 59, TimeSpan.Zero).ToUnixTimeMilliseconds();

        engine.Compute(saturday, 1, 1, 1, values);
        Assert.Equal([1, 1, 6, 5], values);
        engine.Compute(saturday + 1000 + (2 * Day), 1, 1, 1, values); // Monday 07:00:00
        Assert.Equal([0, 0, 7, 0], values);
    }
}
