using Vigil.Learning.Data;

namespace Vigil.Learning.Training;

/// <summary>Each input's values mapped to at most 255 ordered bins, plus bin 0 for missing values; what histogram trees split on.</summary>
/// <remarks>
/// Bin k ≥ 1 holds the values in (Cuts[k − 2], Cuts[k − 1]], the last bin everything above the last cut. A split
/// "bin ≤ k" is the threshold "value ≤ Cuts[k − 1]", and missing values, in bin 0, go left as at scoring.
/// Cuts are the distinct values when there are few, else quantiles of up to 200,000 rows sampled evenly.
/// </remarks>
internal sealed class FeatureBins
{
    private const int SampleRows = 200_000;

    private FeatureBins(double[][] cuts, byte[][] bins)
    {
        Cuts = cuts;
        Bins = bins;
    }

    /// <summary>Per input, the upper bounds of its bins but the last.</summary>
    public double[][] Cuts { get; }

    /// <summary>Per input, the bin of every row (column-major, for histograms).</summary>
    public byte[][] Bins { get; }

    /// <summary>Bins one input can have: the missing bin, one per cut, and the last.</summary>
    public int BinCount(int input) => Cuts[input].Length + 2;

    public double Threshold(int input, int bin) => Cuts[input][bin - 1];

    public static FeatureBins Build(TrainingSet data, int maxBins)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBins, 255);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBins, 2);
        var cuts = new double[data.Width][];
        var bins = new byte[data.Width][];
        Parallel.For(0, data.Width, j =>
        {
            cuts[j] = CutsOf(data, j, maxBins);
            var column = new byte[data.Rows];
            for (var r = 0; r < data.Rows; r++)
            {
                column[r] = BinOf(cuts[j], data.Value(r, j));
            }

            bins[j] = column;
        });
        return new FeatureBins(cuts, bins);
    }

    public static byte BinOf(double[] cuts, double value)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }

        int lo = 0, hi = cuts.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (cuts[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return (byte)(lo + 1);
    }

    private static double[] CutsOf(TrainingSet data, int input, int maxBins)
    {
        var step = Math.Max(1, data.Rows / SampleRows);
        var sample = new List<double>(Math.Min(data.Rows, SampleRows + 1));
        for (var r = 0; r < data.Rows; r += step)
        {
            var v = data.Value(r, input);
            if (!double.IsNaN(v))
            {
                sample.Add(v);
            }
        }

        sample.Sort();
        var distinct = new List<double>();
        foreach (var v in sample)
        {
            if (distinct.Count == 0 || distinct[^1] != v)
            {
                distinct.Add(v);
            }
        }

        // One bin per distinct value when they fit (the last value needs no cut), else quantile cuts.
        if (distinct.Count <= maxBins)
        {
            return [.. distinct.Take(Math.Max(0, distinct.Count - 1))];
        }

        var quantiles = new List<double>();
        for (var k = 1; k < maxBins; k++)
        {
            var cut = sample[(int)((long)k * (sample.Count - 1) / maxBins)];
            if ((quantiles.Count == 0 || cut > quantiles[^1]) && cut < sample[^1])
            {
                quantiles.Add(cut);
            }
        }

        return [.. quantiles];
    }
}
