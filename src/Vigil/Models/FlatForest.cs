using System.Runtime.InteropServices;

namespace Vigil.Models;

/// <summary>Trees packed into one array of 16-byte nodes for scoring: a row walks each tree with no indirection but its inputs.</summary>
/// <remarks>Children are stored next to each other (right = left + 1), and a leaf keeps its output in the threshold's place.</remarks>
internal sealed class FlatForest
{
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Node(double ThresholdOrValue, int Feature, int Left);

    private readonly Node[] _nodes;
    private readonly int[] _roots;

    public FlatForest(IReadOnlyList<DecisionTree> trees, Func<DecisionTree, int, double> leafValue)
    {
        var nodes = new List<Node>();
        _roots = new int[trees.Count];
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            _roots[t] = nodes.Count;
            nodes.Add(default);

            // Breadth-first, placing each node's two children side by side.
            var queue = new Queue<(int Source, int Slot)>();
            queue.Enqueue((0, _roots[t]));
            while (queue.TryDequeue(out var item))
            {
                var (source, slot) = item;
                if (tree.IsLeaf(source))
                {
                    nodes[slot] = new(leafValue(tree, source), -1, 0);
                    continue;
                }

                var left = nodes.Count;
                nodes.Add(default);
                nodes.Add(default);
                nodes[slot] = new(tree.Threshold[source], tree.Feature[source], left);
                queue.Enqueue((tree.Left[source], left));
                queue.Enqueue((tree.Right[source], left + 1));
            }
        }

        _nodes = [.. nodes];
    }

    /// <summary>The sum of the leaf values the row reaches, one per tree.</summary>
    public double Sum(ReadOnlySpan<double> inputs)
    {
        var nodes = _nodes.AsSpan();
        var sum = 0.0;
        foreach (var root in _roots)
        {
            var node = nodes[root];
            while (node.Feature >= 0)
            {
                // NaN compares false, so a missing input goes left.
                node = nodes[node.Left + (inputs[node.Feature] > node.ThresholdOrValue ? 1 : 0)];
            }

            sum += node.ThresholdOrValue;
        }

        return sum;
    }
}
