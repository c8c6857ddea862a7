using Vigil.Simulation.Simulator;

namespace Vigil.Simulation.Tests.Simulator;

/// <summary>
/// The default simulation against the Fraud Detection Handbook's published dataset (../shared/DATASETS.md):
/// 1,754,155 transactions over 183 days, 14,681 frauds (0.837 %; 973 / 9,077 / 4,631 by scenario), about 9,586
/// transactions and 80 frauds a day, amounts with mean 53.63 and median 44.64. Our random streams are not numpy's,
/// so the figures agree within sampling tolerance, for any seed. The number of transactions follows the sum of the
/// customers' drawn daily means, whose standard deviation is about 0.8 % of it: the handbook's own dataset lies 1.1 %
/// below the expectation, so counts are checked within 3.5 % (over 4 standard deviations).
/// </summary>
public sealed class PublishedStatisticsTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(20180401UL)]
    public void The_default_simulation_reproduces_the_handbook_dataset(ulong seed)
    {
        var simulator = new TransactionSimulator(new SimulatorOptions { Seed = seed });
        long count = 0;
        var byScenario = new long[4];
        double sum = 0;
        var histogram = new long[300_000];
        var days = 0;
        while (!simulator.IsFinished)
        {
            days++;
            foreach (var t in simulator.NextDay().Span)
            {
                count++;
                byScenario[(int)t.Scenario]++;
                sum += t.AmountCents / 100.0;
                histogram[Math.Min(t.AmountCents, histogram.Length - 1)]++;
            }
        }

        var frauds = byScenario[1] + byScenario[2] + byScenario[3];
        Assert.Equal(183, days);
        Assert.InRange(count, 1_754_155 * 0.965, 1_754_155 * 1.035);
        Assert.InRange(count / 183.0, 9_586 * 0.965, 9_586 * 1.035);
        Assert.InRange(100.0 * frauds / count, 0.837 - 0.04, 0.837 + 0.04);
        Assert.InRange(frauds / 183.0, 80 - 4, 80 + 4);
        Assert.InRange(byScenario[1], 973 * 0.85, 973 * 1.15);
        Assert.InRange(byScenario[2], 9_077 * 0.9, 9_077 * 1.1);
        Assert.InRange(byScenario[3], 4_631 * 0.9, 4_631 * 1.1);
        Assert.InRange(sum / count, 53.63 - 1.5, 53.63 + 1.5);
        Assert.InRange(Median(histogram, count) / 100.0, 44.64 - 1.5, 44.64 + 1.5);
        Assert.InRange(simulator.Population.AverageTerminalsPerCustomer, 70, 80);
    }

    private static long Median(long[] histogram, long count)
    {
        long seen = 0;
        for (var cents = 0; cents < histogram.Length; cents++)
        {
            seen += histogram[cents];
            if (seen * 2 >= count)
            {
                return cents;
            }
        }

        return histogram.Length;
    }
}
