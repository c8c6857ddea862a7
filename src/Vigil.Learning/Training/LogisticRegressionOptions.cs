namespace Vigil.Learning.Training;

/// <summary>Logistic regression's settings, named as scikit-learn names them.</summary>
public sealed record LogisticRegressionOptions
{
    /// <summary>Inverse L2 strength: the loss is Σ wᵢ·logloss + ‖β‖² / (2C); the intercept is not penalized.</summary>
    public double C { get; init; } = 1.0;

    /// <summary>Weight of each fraud row relative to a legitimate one; null for 1, or "balanced" via <see cref="Balanced"/>.</summary>
    public double? PositiveWeight { get; init; }

    /// <summary>Weigh classes inversely to their frequency, as scikit-learn's class_weight="balanced".</summary>
    public bool Balanced { get; init; }

    public int MaxIterations { get; init; } = 1000;

    public double Tolerance { get; init; } = 1e-7;

    /// <summary>The decision threshold; null chooses the one with the best F1 on the training rows.</summary>
    public double? Threshold { get; init; }

    /// <summary>Chooses the threshold on held-out scores by review capacity or cost, when <see cref="Threshold"/> is not given; F1 when null.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ThresholdRule? ThresholdRule { get; init; }

    /// <summary>The rule, as the model file records it (<c>threshold_choice</c>).</summary>
    public string? ThresholdChoice => ThresholdRule?.Describe();
}
