using System.Runtime.InteropServices;

namespace Vigil.Models;

/// <summary>Trees packed into one array of 16-byte nodes for scoring: a row walks each tree with no indirection but its inputs.</summary>
/// <remarks>
/// Children are stored next to each other (right = left + 1), and a leaf keeps its output in the threshold's place. A
/// leaf also points at a pair of copies of itself, so a walk may take more steps than its tree is deep and stay on the
/// leaf: every tree is walked a fixed number of steps with no branch on the way, four trees side by side, so that the
/// processor overlaps their loads. The leaf values are added in the trees' order, as one walk after another would.
/// </remarks>
internal sealed class FlatForest
{
    private const int Interleaved = 4;

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Node(double ThresholdOrValue, int Feature, int Left);

    private readonly Node[] _nodes;
    private readonly int[] _roots;

    /// <summary>For each group of <see cref="Interleaved"/> trees, the depth of its deepest.</summary>
    private readonly int[] _depths;

    public FlatForest(IReadOnlyList<DecisionTree> trees, Func<DecisionTree, int, double> leafValue)
    {
        var nodes = new List<Node>();
        _roots = new int[trees.Count];
        var depths = new int[trees.Count];
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            _roots[t] = nodes.Count;
            nodes.Add(default);

            // Breadth-first, placing each node's two children side by side.
            var queue = new Queue<(int Source, int Slot, int Depth)>();
            queue.Enqueue((0, _roots[t], 0));
            while (queue.TryDequeue(out var item))
            {
                var (source, slot, depth) = item;
                depths[t] = Math.Max(depths[t], depth);
                if (tree.IsLeaf(source))
                {
                    // Feature 0 is read and ignored: both ways lead back to the leaf.
                    var loop = nodes.Count;
                    var leaf = new Node(leafValue(tree, source), 0, loop);
                    nodes[slot] = leaf;
                    nodes.Add(leaf);
                    nodes.Add(leaf);
                    continue;
                }

                var left = nodes.Count;
                nodes.Add(default);
                nodes.Add(default);
                nodes[slot] = new(tree.Threshold[source], tree.Feature[source], left);
                queue.Enqueue((tree.Left[source], left, depth + 1));
                queue.Enqueue((tree.Right[source], left + 1, depth + 1));
            }
        }

        _nodes = [.. nodes];
        _depths = new int[(trees.Count + Interleaved - 1) / Interleaved];
        for (var t = 0; t < trees.Count; t++)
        {
            _depths[t / Interleaved] = Math.Max(_depths[t / Interleaved], depths[t]);
        }
    }

    /// <summary>The sum of the leaf values the row reaches, one per tree.</summary>
    public double Sum(ReadOnlySpan<double> inputs)
    {
        if (inputs.IsEmpty)
        {
            throw new ArgumentException("A forest scores a row of at least one input.", nameof(inputs));
        }

        var nodes = _nodes.AsSpan();
        var roots = _roots.AsSpan();
        var sum = 0.0;
        var t = 0;
        for (; t + Interleaved <= roots.Length; t += Interleaved)
        {
            var a = nodes[roots[t]];
            var b = nodes[roots[t + 1]];
            var c = nodes[roots[t + 2]];
            var d = nodes[roots[t + 3]];

            // NaN compares false, so a missing input goes left.
            for (var step = _depths[t / Interleaved]; step > 0; step--)
            {
                a = nodes[a.Left + (inputs[a.Feature] > a.ThresholdOrValue ? 1 : 0)];
                b = nodes[b.Left + (inputs[b.Feature] > b.ThresholdOrValue ? 1 : 0)];
                c = nodes[c.Left + (inputs[c.Feature] > c.ThresholdOrValue ? 1 : 0)];
                d = nodes[d.Left + (inputs[d.Feature] > d.ThresholdOrValue ? 1 : 0)];
            }

            sum += a.ThresholdOrValue;
            sum += b.ThresholdOrValue;
            sum += c.ThresholdOrValue;
            sum += d.ThresholdOrValue;
        }

        for (; t < roots.Length; t++)
        {
            var node = nodes[roots[t]];
            for (var step = _depths[t / Interleaved]; step > 0; step--)
            {
                node = nodes[node.Left + (inputs[node.Feature] > node.ThresholdOrValue ? 1 : 0)];
            }

            sum += node.ThresholdOrValue;
        }

        return sum;
    }
}
