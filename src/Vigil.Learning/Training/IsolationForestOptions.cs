namespace Vigil.Learning.Training;

/// <summary>Isolation forest's settings, named as scikit-learn names them.</summary>
public sealed record IsolationForestOptions
{
    public int Trees { get; init; } = 100;

    /// <summary>ψ: rows drawn, without replacement, to grow each tree.</summary>
    public int SampleSize { get; init; } = 256;

    /// <summary>The share of training rows expected to be anomalies: the threshold flags that share. Null: the training set's fraud rate, else 1 %.</summary>
    public double? Contamination { get; init; }

    public int Seed { get; init; } = 42;
}
