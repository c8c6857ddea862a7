namespace Vigil.Learning.Retraining;

/// <summary>
/// Population stability index: how far a distribution moved from a reference, over the reference's deciles (missing
/// values in a bin of their own). Below 0.1 is usually read as stable, 0.1–0.25 as a shift worth watching, above 0.25
/// as a population the model was not trained on.
/// </summary>
public sealed class PopulationStability
{
    private const int Bins = 10;
    private const double Floor = 1e-4;

    private readonly double[] _edges;
    private readonly double[] _expected;

    private PopulationStability(double[] edges, double[] expected)
    {
        _edges = edges;
        _expected = expected;
    }

    /// <summary>The reference: decile edges of <paramref name="values"/> and the share of values in each bin.</summary>
    public static PopulationStability Of(ReadOnlySpan<double> values)
    {
        var known = new List<double>(values.Length);
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                known.Add(v);
            }
        }

        known.Sort();
        var edges = known.Count == 0 ? [] : Enumerable.Range(1, Bins - 1).Select(i => known[(int)((long)i * (known.Count - 1) / Bins)]).Distinct().ToArray();
        var reference = new PopulationStability(edges, []);
        return new PopulationStability(edges, reference.Shares(values));
    }

    /// <summary>The index of <paramref name="values"/> against the reference; 0 for no values.</summary>
    public double Index(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return 0;
        }

        var actual = Shares(values);
        var psi = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            var e = Math.Max(_expected[i], Floor);
            var a = Math.Max(actual[i], Floor);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }

    /// <summary>Shares per bin: one bin more than edges, then the missing values' bin.</summary>
    private double[] Shares(ReadOnlySpan<double> values)
    {
        var counts = new double[_edges.Length + 2];
        foreach (var v in values)
        {
            if (double.IsNaN(v))
            {
                counts[^1]++;
                continue;
            }

            var at = Array.BinarySearch(_edges, v);
            counts[at >= 0 ? at : ~at]++;
        }

        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] /= Math.Max(1, values.Length);
        }

        return counts;
    }
}
