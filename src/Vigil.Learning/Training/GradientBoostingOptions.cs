namespace Vigil.Learning.Training;

/// <summary>Gradient boosting's settings, named as XGBoost and LightGBM name them.</summary>
public sealed record GradientBoostingOptions
{
    /// <summary>The most trees; early stopping may keep fewer.</summary>
    public int Trees { get; init; } = 300;

    /// <summary>Shrinkage: each tree's leaves are scaled by this (eta).</summary>
    public double LearningRate { get; init; } = 0.05;

    public int MaxDepth { get; init; } = 6;

    /// <summary>Trees grow best split first until they have this many leaves (or reach <see cref="MaxDepth"/>).</summary>
    public int MaxLeaves { get; init; } = 7;

    /// <summary>The least hessian (about p(1 − p) per row) either side of a split must hold.</summary>
    public double MinChildWeight { get; init; } = 1;

    /// <summary>L2 regularization of leaf values (lambda).</summary>
    public double L2 { get; init; } = 1;

    /// <summary>The least loss reduction a split must bring (gamma).</summary>
    public double MinSplitGain { get; init; }

    /// <summary>The share of rows each tree learns from, drawn anew per tree.</summary>
    public double RowSample { get; init; } = 0.8;

    /// <summary>The share of inputs each tree may split on, drawn anew per tree.</summary>
    public double ColumnSample { get; init; } = 0.8;

    /// <summary>Bins per input, missing values apart; at most 255.</summary>
    public int MaxBins { get; init; } = 255;

    /// <summary>The last share of the training rows, in time, held out to choose the number of trees and the threshold.</summary>
    public double ValidationFraction { get; init; } = 0.15;

    /// <summary>Once early stopping has chosen the number of trees, train again on every row, held-out ones included.</summary>
    public bool Refit { get; init; } = true;

    /// <summary>Stop when the validation loss has not improved for this many trees; 0 never stops early.</summary>
    public int EarlyStoppingRounds { get; init; } = 30;

    /// <summary>Boost from a logistic regression's margin instead of a constant (LightGBM's linear_tree spirit, XGBoost's base_margin).</summary>
    public bool LinearBase { get; init; } = true;

    /// <summary>Weight of each fraud row relative to a legitimate one.</summary>
    public double PositiveWeight { get; init; } = 1;

    public int Seed { get; init; } = 42;

    /// <summary>The decision threshold; null chooses the one with the best F1 on the validation rows (training rows without them).</summary>
    public double? Threshold { get; init; }

    /// <summary>Chooses the threshold on held-out scores by review capacity or cost, when <see cref="Threshold"/> is not given; F1 when null.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ThresholdRule? ThresholdRule { get; init; }

    /// <summary>The rule, as the model file records it (<c>threshold_choice</c>).</summary>
    public string? ThresholdChoice => ThresholdRule?.Describe();
}
