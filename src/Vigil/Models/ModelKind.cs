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
}

/// <summary>The short names users type and model files carry.</summary>
public static class ModelKinds
{
    public static string Name(this ModelKind kind) => kind switch
    {
        ModelKind.LogisticRegression => "lr",
        ModelKind.GradientBoostedTrees => "gbt",
        _ => "iforest",
    };

    public static bool TryParse(string? text, out ModelKind kind)
    {
        foreach (var candidate in Enum.GetValues<ModelKind>())
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
