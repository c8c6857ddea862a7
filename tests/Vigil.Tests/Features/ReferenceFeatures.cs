using Vigil.Features;

namespace Vigil.Tests.Features;

/// <summary>One transaction of a test stream, with its ground truth.</summary>
internal sealed record TestEvent(long TimeMs, long Customer, long Terminal, double Amount, bool Fraud);

/// <summary>
/// The features recomputed the plainest way: for each transaction, a scan of every earlier one. Slow and obviously
/// right, so that the engine's cursors, rings and evictions can be checked against it.
/// </summary>
internal static class ReferenceFeatures
{
    public static double[] Compute(FeatureSet set, IReadOnlyList<TestEvent> events, int index, TimeSpan labelDelay)
    {
        var current = events[index];
        var now = current.TimeMs / 1000;
        var values = new double[set.Count];
        for (var f = 0; f < set.Count; f++)
        {
            var feature = set.Definitions[f];
            if (!feature.IsWindowed)
            {
                values[f] = TransactionFeature(feature.Aggregate, current);
                continue;
            }

            var delay = (long)feature.Delay.TotalSeconds;
            var window = (long)feature.Window.TotalSeconds;
            var inWindow = new List<TestEvent>();
            for (var j = 0; j <= index; j++)
            {
                var e = events[j];
                var sameEntity = feature.Entity == FeatureEntity.Customer ? e.Customer == current.Customer : e.Terminal == current.Terminal;
                var seconds = e.TimeMs / 1000;
                if (sameEntity && seconds > now - delay - window && seconds <= now - delay)
                {
                    inWindow.Add(e);
                }
            }

            var cents = inWindow.Sum(e => (long)Math.Round(e.Amount * 100));
            values[f] = feature.Aggregate switch
            {
                FeatureAggregate.Count => inWindow.Count,
                FeatureAggregate.SumAmount => cents / 100.0,
                FeatureAggregate.AverageAmount => inWindow.Count == 0 ? 0 : cents / 100.0 / inWindow.Count,
                FeatureAggregate.MaxAmount => inWindow.Max(e => Math.Round(e.Amount * 100)) / 100.0,
                FeatureAggregate.Risk => inWindow.Count == 0 ? 0
                    : (double)inWindow.Count(e => e.Fraud && e.TimeMs + (long)labelDelay.TotalMilliseconds <= current.TimeMs) / inWindow.Count,
                FeatureAggregate.DistinctCounterparties => inWindow.Select(e => feature.Entity == FeatureEntity.Customer ? e.Terminal : e.Customer).Distinct().Count(),
                FeatureAggregate.SameAmountCounterparties => inWindow
                    .Where(e => Math.Round(e.Amount * 100) == Math.Round(current.Amount * 100))
                    .Select(e => feature.Entity == FeatureEntity.Customer ? e.Terminal : e.Customer).Distinct().Count(),
                _ => throw new InvalidOperationException(feature.Aggregate.ToString()),
            };
        }

        return values;
    }

    private static double TransactionFeature(FeatureAggregate aggregate, TestEvent e)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(e.TimeMs).UtcDateTime;
        var mondayFirst = ((int)time.DayOfWeek + 6) % 7;
        return aggregate switch
        {
            FeatureAggregate.Amount => e.Amount,
            FeatureAggregate.Weekend => time.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 1 : 0,
            FeatureAggregate.Night => time.Hour <= 6 ? 1 : 0,
            FeatureAggregate.Hour => time.Hour,
            FeatureAggregate.DayOfWeek => mondayFirst,
            _ => throw new InvalidOperationException(aggregate.ToString()),
        };
    }

    /// <summary>A random stream: few customers and terminals so windows fill, times often tied, amounts often repeated.</summary>
    public static List<TestEvent> RandomStream(int seed, int count, TimeSpan span)
    {
        var random = new Random(seed);
        var events = new List<TestEvent>(count);
        var time = new DateTimeOffset(2018, 4, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() + random.Next(0, 86_400_000);
        var meanGap = span.TotalMilliseconds / count;
        for (var i = 0; i < count; i++)
        {
            time += random.Next(4) == 0 ? random.Next(0, 1000) : (long)(random.NextDouble() * 2 * meanGap);
            var amount = random.Next(3) == 0 ? 10.00 * random.Next(1, 4) : random.Next(1, 50_000) / 100.0;
            events.Add(new TestEvent(time, random.Next(12), 1000 + random.Next(6), amount, random.Next(8) == 0));
        }

        return events;
    }

    /// <summary>Runs a stream through an engine as <c>vigil features</c> does: labels released after the delay, then the transaction.</summary>
    public static List<double[]> Run(FeatureEngine engine, IReadOnlyList<TestEvent> events, TimeSpan labelDelay, int from = 0, DelayedLabels? labels = null)
    {
        labels ??= new DelayedLabels(labelDelay);
        var results = new List<double[]>();
        for (var i = from; i < events.Count; i++)
        {
            var e = events[i];
            labels.ReleaseDue(e.TimeMs, engine);
            var values = new double[engine.Set.Count];
            engine.Compute(e.TimeMs, e.Customer, e.Terminal, e.Amount, values);
            labels.Hold(e.Customer, e.Terminal, e.TimeMs, e.Fraud);
            results.Add(values);
        }

        return results;
    }
}
