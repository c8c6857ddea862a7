using Vigil.Learning.Retraining;

namespace Vigil.Learning.Tests.Retraining;

public sealed class PopulationStabilityTests
{
    private static double[] Normal(int n, double mean, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => mean + (Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))];
    }

    [Fact]
    public void The_same_population_is_stable_and_a_moved_one_is_not()
    {
        var reference = PopulationStability.Of(Normal(20_000, 0, 1));

        Assert.InRange(reference.Index(Normal(20_000, 0, 2)), 0, 0.01);
        Assert.InRange(reference.Index(Normal(20_000, 0.3, 3)), 0.05, 0.25);
        Assert.True(reference.Index(Normal(20_000, 1.5, 4)) > 1);
    }

    [Fact]
    public void Few_distinct_values_and_missing_ones_have_bins_of_their_own()
    {
        double[] week = [.. Enumerable.Range(0, 7_000).Select(i => (double)(i % 7))];
        var reference = PopulationStability.Of(week);

        Assert.Equal(0, reference.Index(week), 9);
        Assert.True(reference.Index([.. week.Where(d => d < 5)]) > 0.25);
        Assert.True(reference.Index([.. week.Select((d, i) => i % 2 == 0 ? double.NaN : d)]) > 1);
        Assert.Equal(0, reference.Index([]));
        Assert.Equal(0, PopulationStability.Of([double.NaN, double.NaN]).Index([double.NaN]), 9);
    }
}
