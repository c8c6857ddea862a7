namespace Vigil.Models;

/// <summary>The algorithms a Vigil model file can hold.</summary>
public enum ModelKind
{
    /// <summary>Logistic regression on standardized inputs (<c>lr</c>).</summary>
    LogisticRegression,

    /// <summary>Gradient-boosted decision trees with log loss (<c>gbt</c>).</summary>
    GradientBoostedTrees,

    /// <summary>Isolation forest, unsupervised (<c>iforest</c>).</summary>
    IsolationForest,

    /// <summary>A model in ONNX, scored with ONNX Runtime (<c>onnx</c>): loaded from a .onnx file, never trained or written by Vigil.</summary>
    Onnx,
}

/// <summary>The short names users type and model files carry.</summary>
public static class ModelKinds
{
    public static string Name(this ModelKind kind) => kind switch
    {
        ModelKind.LogisticRegression => "lr",
        ModelKind.GradientBoostedTrees => "gbt",
        ModelKind.IsolationForest => "iforest",
        ModelKind.Onnx => "onnx",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a model kind"),
    };

    /// <summary>The kinds Vigil trains and writes as JSON model files.</summary>
    public static IReadOnlyList<ModelKind> Trainable { get; } = [ModelKind.LogisticRegression, ModelKind.GradientBoostedTrees, ModelKind.IsolationForest];

    /// <summary>Reads a trainable kind's short name (<c>lr</c>, <c>gbt</c>, <c>iforest</c>).</summary>
    public static bool TryParse(string? text, out ModelKind kind)
    {
        foreach (var candidate in Trainable)
        {
            if (string.Equals(candidate.Name(), text, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
