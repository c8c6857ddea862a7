using Vigil.Models;

namespace Vigil.Learning.Training;

/// <summary>Grows one regression tree on binned inputs from gradients and hessians, best split first (leaf-wise).</summary>
/// <remarks>
/// A leaf's histogram sums gradient and hessian per bin of each input; the best split maximizes
/// G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ). Only the smaller child's histogram is built: the larger is the parent's
/// minus it. Histograms of different inputs are built in parallel, each by one thread, so the tree does not depend
/// on the number of cores.
/// </remarks>
internal sealed class HistogramTree(FeatureBins bins, GradientBoostingOptions options)
{
    private readonly List<int> _feature = [];
    private readonly List<double> _threshold = [];
    private readonly List<int> _splitBin = [];
    private readonly List<int> _left = [];
    private readonly List<int> _right = [];
    private readonly List<double> _value = [];
    private readonly List<double> _cover = [];

    private sealed class Leaf
    {
        public int Node;
        public int Start;
        public int Count;
        public int Depth;
        public double Gradient;
        public double Hessian;
        public double[][] Histogram = [];
        public int SplitFeature = -1;
        public int SplitBin;
        public double Gain;
    }

    /// <summary>Grows a tree over <paramref name="rows"/> (reordered in place) using only <paramref name="features"/>.</summary>
    public DecisionTree Grow(int[] rows, float[] gradients, float[] hessians, int[] features)
    {
        var root = NewLeaf(0, rows.Length, depth: 0);
        root.Histogram = Histogram(rows, 0, rows.Length, gradients, hessians, features);
        (root.Gradient, root.Hessian) = Totals(root.Histogram[features[0]]);
        root.Node = AddNode(root);
        FindSplit(root, features);
        var open = new List<Leaf> { root };
        var leaves = 1;
        var scratch = new int[rows.Length];
        while (leaves < options.MaxLeaves)
        {
            var best = open.Where(l => l.SplitFeature >= 0).MaxBy(l => l.Gain);
            if (best is null)
            {
                break;
            }

            open.Remove(best);
            var (left, right) = Split(best, rows, scratch);
            var (small, large) = left.Count <= right.Count ? (left, right) : (right, left);
            small.Histogram = Histogram(rows, small.Start, small.Count, gradients, hessians, features);
            large.Histogram = Subtract(best.Histogram, small.Histogram, features);
            best.Histogram = [];
            foreach (var child in new[] { left, right })
            {
                (child.Gradient, child.Hessian) = Totals(child.Histogram[features[0]]);
                child.Node = AddNode(child);
                FindSplit(child, features);
                open.Add(child);
            }

            _feature[best.Node] = best.SplitFeature;
            _threshold[best.Node] = bins.Threshold(best.SplitFeature, best.SplitBin);
            _splitBin[best.Node] = best.SplitBin;
            _left[best.Node] = left.Node;
            _right[best.Node] = right.Node;
            leaves++;
        }

        return new DecisionTree([.. _feature], [.. _threshold], [.. _left], [.. _right], [.. _value], [.. _cover]);
    }

    /// <summary>The leaf a training row ends in, read from its bins.</summary>
    public int LeafOfRow(int row)
    {
        var node = 0;
        while (_feature[node] >= 0)
        {
            node = bins.Bins[_feature[node]][row] <= _splitBin[node] ? _left[node] : _right[node];
        }

        return node;
    }

    private static Leaf NewLeaf(int start, int count, int depth) => new() { Start = start, Count = count, Depth = depth };

    private int AddNode(Leaf leaf)
    {
        _feature.Add(-1);
        _threshold.Add(0);
        _splitBin.Add(0);
        _left.Add(-1);
        _right.Add(-1);
        _value.Add(-leaf.Gradient / (leaf.Hessian + options.L2) * options.LearningRate);
        _cover.Add(leaf.Hessian);
        return _feature.Count - 1;
    }

    private double[][] Histogram(int[] rows, int start, int count, float[] gradients, float[] hessians, int[] features)
    {
        var histogram = new double[bins.Bins.Length][];
        Parallel.ForEach(features, f =>
        {
            var sums = new double[2 * bins.BinCount(f)];
            var column = bins.Bins[f];
            for (var i = start; i < start + count; i++)
            {
                var r = rows[i];
                var b = column[r] << 1;
                sums[b] += gradients[r];
                sums[b + 1] += hessians[r];
            }

            histogram[f] = sums;
        });
        return histogram;
    }

    private static double[][] Subtract(double[][] parent, double[][] child, int[] features)
    {
        var result = new double[parent.Length][];
        foreach (var f in features)
        {
            var sums = new double[parent[f].Length];
            for (var i = 0; i < sums.Length; i++)
            {
                sums[i] = parent[f][i] - child[f][i];
            }

            result[f] = sums;
        }

        return result;
    }

    private static (double Gradient, double Hessian) Totals(double[] sums)
    {
        double g = 0, h = 0;
        for (var i = 0; i < sums.Length; i += 2)
        {
            g += sums[i];
            h += sums[i + 1];
        }

        return (g, h);
    }

    private void FindSplit(Leaf leaf, int[] features)
    {
        leaf.SplitFeature = -1;
        leaf.Gain = 0;
        if (leaf.Depth >= options.MaxDepth || leaf.Count < 2 || leaf.Hessian < 2 * options.MinChildWeight)
        {
            return;
        }

        var lambda = options.L2;
        var parentScore = leaf.Gradient * leaf.Gradient / (leaf.Hessian + lambda);
        foreach (var f in features)
        {
            var sums = leaf.Histogram[f];
            double gl = 0, hl = 0;
            for (var bin = 0; bin < (sums.Length / 2) - 1; bin++)
            {
                gl += sums[2 * bin];
                hl += sums[(2 * bin) + 1];
                var gr = leaf.Gradient - gl;
                var hr = leaf.Hessian - hl;
                if (bin == 0 || hl < options.MinChildWeight || hr < options.MinChildWeight)
                {
                    // Bin 0 (missing) always goes left with bin 1 and up: a split needs a cut.
                    continue;
                }

                var gain = (gl * gl / (hl + lambda)) + (gr * gr / (hr + lambda)) - parentScore;
                if (gain > leaf.Gain && gain > options.MinSplitGain)
                {
                    leaf.Gain = gain;
                    leaf.SplitFeature = f;
                    leaf.SplitBin = bin;
                }
            }
        }
    }

    private (Leaf Left, Leaf Right) Split(Leaf leaf, int[] rows, int[] scratch)
    {
        var column = bins.Bins[leaf.SplitFeature];
        var left = leaf.Start;
        var rightCount = 0;
        for (var i = leaf.Start; i < leaf.Start + leaf.Count; i++)
        {
            var r = rows[i];
            if (column[r] <= leaf.SplitBin)
            {
                rows[left++] = r;
            }
            else
            {
                scratch[rightCount++] = r;
            }
        }

        Array.Copy(scratch, 0, rows, left, rightCount);
        var leftCount = left - leaf.Start;
        return (NewLeaf(leaf.Start, leftCount, leaf.Depth + 1), NewLeaf(left, rightCount, leaf.Depth + 1));
    }
}
