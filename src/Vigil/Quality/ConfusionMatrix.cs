namespace Vigil.Quality;

/// <summary>Decisions against ground truth: flagged or not, fraud or not. Ratios are NaN when undefined (nothing to divide).</summary>
public readonly record struct ConfusionMatrix(long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives)
{
    public long Total => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>Transactions that really were fraud.</summary>
    public long Frauds => TruePositives + FalseNegatives;

    /// <summary>Transactions flagged as fraud.</summary>
    public long Flagged => TruePositives + FalsePositives;

    /// <summary>Of the flagged, the share that was fraud.</summary>
    public double Precision => Ratio(TruePositives, Flagged);

    /// <summary>Of the frauds, the share that was flagged.</summary>
    public double Recall => Ratio(TruePositives, Frauds);

    /// <summary>The harmonic mean of precision and recall.</summary>
    public double F1 => Ratio(2 * TruePositives, (2 * TruePositives) + FalsePositives + FalseNegatives);

    public double Accuracy => Ratio(TruePositives + TrueNegatives, Total);

    /// <summary>Of the genuine transactions, the share wrongly flagged.</summary>
    public double FalsePositiveRate => Ratio(FalsePositives, FalsePositives + TrueNegatives);

    public ConfusionMatrix Add(bool flagged, bool fraud) => (flagged, fraud) switch
    {
        (true, true) => this with { TruePositives = TruePositives + 1 },
        (true, false) => this with { FalsePositives = FalsePositives + 1 },
        (false, false) => this with { TrueNegatives = TrueNegatives + 1 },
        (false, true) => this with { FalseNegatives = FalseNegatives + 1 },
    };

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? double.NaN : (double)numerator / denominator;
}
