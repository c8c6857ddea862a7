using Vigil.Runtime.Metrics;

namespace Vigil.Runtime.Tests.Metrics;

public class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_never_understate_and_stay_within_the_bucket_precision()
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, 100_000).Select(_ => (long)Math.Exp(random.NextDouble() * 20)).ToArray();
        var histogram = new LatencyHistogram();
        foreach (var value in values)
        {
            histogram.Record(value);
        }

        Array.Sort(values);
        foreach (var q in new[] { 0.0, 0.5, 0.9, 0.99, 0.999, 1.0 })
        {
            var exact = values[Math.Max(0, (int)Math.Ceiling(q * values.Length) - 1)];
            var reported = histogram.Percentile(q);
            Assert.InRange(reported, exact, Math.Max(exact + 1, (long)(exact * 1.0625) + 1));
        }

        Assert.Equal(values[^1], histogram.MaxNanoseconds);
        Assert.Equal(values.Length, histogram.Count);
    }

    [Fact]
    public void Buckets_cover_every_value_contiguously()
    {
        for (long v = 0; v < 100_000; v++)
        {
            var index = LatencyHistogram.IndexOf(v);
            Assert.True(LatencyHistogram.UpperEdge(index) >= v);
            Assert.True(index == 0 || LatencyHistogram.UpperEdge(index - 1) < v);
        }

        Assert.True(LatencyHistogram.UpperEdge(LatencyHistogram.IndexOf(long.MaxValue)) >= long.MaxValue - 1);
    }

    [Fact]
    public void Merged_histograms_add_their_counts()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(100);
        b.Record(1_000_000);
        b.Record(5);

        var total = new LatencyHistogram();
        total.Add(a);
        total.Add(b);

        Assert.Equal(3, total.Count);
        Assert.Equal(1_000_000, total.MaxNanoseconds);
        Assert.InRange(total.Percentile(0.5), 100, 106);
        Assert.Equal(0, new LatencyHistogram().Percentile(0.99));
    }
}
