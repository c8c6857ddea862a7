namespace Vigil.Models;

/// <summary>One binary tree as a model file holds it: parallel arrays indexed by node, the root at 0.</summary>
/// <remarks>
/// An internal node sends a row left when its input is at most <see cref="Threshold"/> or missing (NaN), right
/// otherwise. A leaf has <see cref="Feature"/> −1. <see cref="Value"/> is a leaf's output; on an internal node it is
/// the output the node would have as a leaf, which is what path contributions are measured against.
/// <see cref="Cover"/> is the weight of training rows that reached the node.
/// </remarks>
public sealed record DecisionTree(int[] Feature, double[] Threshold, int[] Left, int[] Right, double[] Value, double[] Cover)
{
    public int Count => Feature.Length;

    public bool IsLeaf(int node) => Feature[node] < 0;

    /// <summary>The leaf a row ends in.</summary>
    public int LeafOf(ReadOnlySpan<double> inputs)
    {
        var node = 0;
        while (Feature[node] >= 0)
        {
            node = inputs[Feature[node]] > Threshold[node] ? Right[node] : Left[node];
        }

        return node;
    }

    /// <summary>The number of edges from the root to the deepest leaf.</summary>
    public int Depth()
    {
        var depths = new int[Count];
        var deepest = 0;
        for (var node = 0; node < Count; node++)
        {
            if (Feature[node] >= 0)
            {
                depths[Left[node]] = depths[node] + 1;
                depths[Right[node]] = depths[node] + 1;
                deepest = Math.Max(deepest, depths[node] + 1);
            }
        }

        return deepest;
    }

    /// <summary>Checks that the arrays describe one tree over <paramref name="inputs"/> inputs; the message says what is wrong.</summary>
    public string? Validate(int inputs)
    {
        var n = Feature.Length;
        if (n == 0)
        {
            return "a tree has no nodes";
        }

        if (Threshold.Length != n || Left.Length != n || Right.Length != n || Value.Length != n || Cover.Length != n)
        {
            return "a tree's arrays differ in length";
        }

        for (var node = 0; node < n; node++)
        {
            if (Feature[node] >= inputs)
            {
                return $"node {node} tests input {Feature[node]}, but the model has {inputs}";
            }

            if (!double.IsFinite(Value[node]))
            {
                return $"node {node} has a value that is not a finite number";
            }

            // Children come after their parent, so walking the arrays in order cannot loop.
            if (Feature[node] >= 0 && (Left[node] <= node || Right[node] <= node || Left[node] >= n || Right[node] >= n
                || double.IsNaN(Threshold[node])))
            {
                return $"node {node} has children or a threshold that do not make a tree";
            }
        }

        return null;
    }
}
