namespace Vigil.Models;

/// <summary>Gradient-boosted trees for log loss: the sigmoid of a base margin plus one leaf value per tree.</summary>
public sealed class GradientBoostedModel : Model
{
    private readonly DecisionTree[] _trees;
    private readonly FlatForest _forest;

    public GradientBoostedModel(IReadOnlyList<string> inputs, double baseMargin, IReadOnlyList<DecisionTree> trees, double threshold, LogisticModel? linearBase = null)
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

        if (linearBase is not null && !linearBase.Inputs.SequenceEqual(inputs))
        {
            throw new ArgumentException("the linear base must take the model's inputs", nameof(linearBase));
        }

        BaseMargin = baseMargin;
        LinearBase = linearBase;
        _trees = [.. trees];
        _forest = new FlatForest(_trees, (tree, leaf) => tree.Value[leaf]);
    }

    public override ModelKind Kind => ModelKind.GradientBoostedTrees;

    /// <summary>The log-odds every row starts from: the training set's fraud rate.</summary>
    public double BaseMargin { get; }

    /// <summary>A logistic regression the trees boost from, when trained so: its margin replaces the constant start.</summary>
    /// <remarks>Trees model interactions and thresholds; the linear part keeps a fine, smooth ranking where trees tie.</remarks>
    public LogisticModel? LinearBase { get; }

    public IReadOnlyList<DecisionTree> Trees => _trees;

    public override double Score(ReadOnlySpan<double> inputs) => Sigmoid(Margin(inputs));

    public double Margin(ReadOnlySpan<double> inputs) => BaseMargin + (LinearBase?.Margin(inputs) ?? 0) + _forest.Sum(inputs);

    /// <summary>
    /// Path contributions (Saabas): each split on the way to a leaf moves the output from the node's value to the
    /// child's, and that move is credited to the split's input. A linear base adds its own weight × standardized value.
    /// They sum to the margin minus the trees' root values and the base's intercept.
    /// </summary>
    public override void Explain(ReadOnlySpan<double> inputs, Span<double> contributions)
    {
        contributions.Clear();
        LinearBase?.Explain(inputs, contributions);
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
