using Vigil.Models;

namespace Vigil.Tests.Models;

public sealed class FlatForestTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 4)]
    [InlineData(4, 7)]
    [InlineData(5, 50)]
    public void Every_row_sums_the_leaves_one_walk_per_tree_reaches_in_the_trees_order(int seed, int trees)
    {
        var random = new Random(seed);
        const int inputs = 6;
        var forest = Enumerable.Range(0, trees).Select(_ => RandomTree(random, inputs, maxDepth: random.Next(0, 8))).ToList();
        var flat = new FlatForest(forest, (tree, leaf) => tree.Value[leaf]);
        for (var r = 0; r < 2_000; r++)
        {
            var row = Enumerable.Range(0, inputs).Select(_ => random.Next(10) == 0 ? double.NaN : Math.Round(random.NextDouble() * 10, 1)).ToArray();
            var expected = 0.0;
            foreach (var tree in forest)
            {
                expected += tree.Value[tree.LeafOf(row)];
            }

            Assert.Equal(expected, flat.Sum(row)); // exactly: the same additions in the same order
        }
    }

    /// <summary>A random tree of at most <paramref name="maxDepth"/> levels, some branches stopping early; thresholds on a 0.1 grid so rows land on them.</summary>
    private static DecisionTree RandomTree(Random random, int inputs, int maxDepth)
    {
        var feature = new List<int>();
        var threshold = new List<double>();
        var left = new List<int>();
        var right = new List<int>();
        var value = new List<double>();
        int Grow(int depth)
        {
            var node = feature.Count;
            feature.Add(-1);
            threshold.Add(0);
            left.Add(-1);
            right.Add(-1);
            value.Add(random.NextDouble() - 0.5);
            if (depth < maxDepth && random.Next(4) != 0)
            {
                feature[node] = random.Next(inputs);
                threshold[node] = Math.Round(random.NextDouble() * 10, 1);
                left[node] = Grow(depth + 1);
                right[node] = Grow(depth + 1);
            }

            return node;
        }

        Grow(0);
        return new DecisionTree([.. feature], [.. threshold], [.. left], [.. right], [.. value], [.. value.Select(_ => 1.0)]);
    }
}
