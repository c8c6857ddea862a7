namespace Vigil.Models;

/// <summary>Isolation forest (Liu, Ting and Zhou, 2008): rows that random splits isolate in few steps are anomalies.</summary>
/// <remarks>
/// The score is s(x, ψ) = 2^(−E[h(x)] / c(ψ)), where h is the path length to a leaf plus c(size) for the rows a leaf
/// still held when growth stopped, and c(n) = 2H(n − 1) − 2(n − 1)/n is the mean path length of an unsuccessful search
/// in a binary search tree of n rows. Scores near 1 are anomalies, near 0.5 or below are not.
/// </remarks>
public sealed class IsolationForestModel : Model
{
    private readonly DecisionTree[] _trees;
    private readonly FlatForest _forest;
    private readonly double _normalizer;

    public IsolationForestModel(IReadOnlyList<string> inputs, int sampleSize, IReadOnlyList<DecisionTree> trees, double threshold)
        : base(inputs, threshold)
    {
        ArgumentNullException.ThrowIfNull(trees);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 2);
        if (trees.Count == 0)
        {
            throw new ArgumentException("an isolation forest needs at least one tree", nameof(trees));
        }

        for (var t = 0; t < trees.Count; t++)
        {
            if (trees[t].Validate(inputs.Count) is { } problem)
            {
                throw new ArgumentException($"tree {t}: {problem}", nameof(trees));
            }
        }

        SampleSize = sampleSize;
        _trees = [.. trees];
        _forest = new FlatForest(_trees, (tree, leaf) => tree.Value[leaf] + AveragePathLength(tree.Cover[leaf]));
        _normalizer = 1.0 / (_trees.Length * AveragePathLength(sampleSize));
    }

    public override ModelKind Kind => ModelKind.IsolationForest;

    /// <summary>ψ, the rows each tree was grown on.</summary>
    public int SampleSize { get; }

    /// <summary>Trees whose leaf <see cref="DecisionTree.Value"/> is the leaf's depth and <see cref="DecisionTree.Cover"/> its row count.</summary>
    public IReadOnlyList<DecisionTree> Trees => _trees;

    public override double Score(ReadOnlySpan<double> inputs) => Math.Pow(2, -_forest.Sum(inputs) * _normalizer);

    /// <summary>The mean path length of the row in the trees.</summary>
    public double PathLength(ReadOnlySpan<double> inputs) => _forest.Sum(inputs) / _trees.Length;

    /// <summary>Per input, how early splits on it isolated the row: 1 / depth for each split on the path, averaged over trees.</summary>
    public override void Explain(ReadOnlySpan<double> inputs, Span<double> contributions)
    {
        contributions.Clear();
        foreach (var tree in _trees)
        {
            var node = 0;
            var depth = 1;
            while (!tree.IsLeaf(node))
            {
                var feature = tree.Feature[node];
                contributions[feature] += 1.0 / depth;
                node = inputs[feature] > tree.Threshold[node] ? tree.Right[node] : tree.Left[node];
                depth++;
            }
        }

        for (var i = 0; i < contributions.Length; i++)
        {
            contributions[i] /= _trees.Length;
        }
    }

    /// <summary>c(n): the average path length of an unsuccessful search among n rows; 0 for one row or none.</summary>
    public static double AveragePathLength(double n)
    {
        if (n <= 1)
        {
            return 0;
        }

        if (n == 2)
        {
            return 1;
        }

        const double EulerGamma = 0.5772156649015329;
        var harmonic = Math.Log(n - 1) + EulerGamma;
        return (2 * harmonic) - (2 * (n - 1) / n);
    }
}
