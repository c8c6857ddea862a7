namespace Vigil.Models;

/// <summary>Gradient-boosted trees for log loss: the sigmoid of a base margin plus one leaf value per tree.</summary>
public sealed class GradientBoostedModel : Model
{
    private readonly DecisionTree[] _trees;
    private readonly FlatForest _forest;

    public GradientBoostedModel(IReadOnlyList<string> inputs, double baseMargin, IReadOnlyList<DecisionTree> trees, double threshold)
        : base(inputs, threshold)
    {
        ArgumentNullException.ThrowIfNull(trees);
        if (!double.IsFinite(baseMargin))
        {
            throw new ArgumentOutOfRangeException(nameof(baseMargin), baseMargin, "The base margin is a finite number.");
        }

        for (var t = 0; t < trees.Count; t++)
        {
            if (trees[t].Validate(inputs.Count) is { } problem)
            {
                throw new ArgumentException($"tree {t}: {problem}", nameof(trees));
            }
        }

        BaseMargin = baseMargin;
        _trees = [.. trees];
        _forest = new FlatForest(_trees, (tree, leaf) => tree.Value[leaf]);
    }

    public override ModelKind Kind => ModelKind.GradientBoostedTrees;

    /// <summary>The log-odds every row starts from: the training set's fraud rate.</summary>
    public double BaseMargin { get; }

    public IReadOnlyList<DecisionTree> Trees => _trees;

    public override double Score(ReadOnlySpan<double> inputs) => Sigmoid(Margin(inputs));

    public double Margin(ReadOnlySpan<double> inputs) => BaseMargin + _forest.Sum(inputs);

    /// <summary>
    /// Path contributions (Saabas): each split on the way to a leaf moves the output from the node's value to the
    /// child's, and that move is credited to the split's input. They sum to the margin minus the trees' root values.
    /// </summary>
    public override void Explain(ReadOnlySpan<double> inputs, Span<double> contributions)
    {
        contributions.Clear();
        foreach (var tree in _trees)
        {
            var node = 0;
            while (!tree.IsLeaf(node))
            {
                var feature = tree.Feature[node];
                var child = inputs[feature] > tree.Threshold[node] ? tree.Right[node] : tree.Left[node];
                contributions[feature] += tree.Value[child] - tree.Value[node];
                node = child;
            }
        }
    }
}
