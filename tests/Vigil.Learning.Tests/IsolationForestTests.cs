using Vigil.Learning.Training;
using Vigil.Models;

namespace Vigil.Learning.Tests;

public sealed class IsolationForestTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(256, 10.244770920116851)]
    public void Average_path_length_is_the_unsuccessful_search_length_of_a_binary_search_tree(int n, double expected) =>
        Assert.Equal(expected, IsolationForestModel.AveragePathLength(n), 6);

    [Fact]
    public void A_point_far_from_a_cluster_is_isolated_sooner_and_scores_higher()
    {
        var random = new Random(1);
        var rows = Enumerable.Range(0, 1000).Select(_ => (new[] { random.NextDouble(), random.NextDouble() }, 0)).ToList();
        var model = new IsolationForestTrainer(new IsolationForestOptions { Contamination = 0.01 }).Train(Rows.Of(["a", "b"], rows));

        Assert.True(model.PathLength([8, 8]) < model.PathLength([0.5, 0.5]) - 3);
        Assert.True(model.Score([8, 8]) > 0.6, $"{model.Score([8, 8])}");
        Assert.True(model.Score([0.5, 0.5]) < 0.5, $"{model.Score([0.5, 0.5])}");
        Assert.True(model.Score([8, 8]) >= model.Threshold);
    }

    [Fact]
    public void A_hand_built_tree_gives_the_paper_path_length()
    {
        // Root splits a at 1; the left leaf still holds 4 rows, the right leaf one: h = depth + c(size).
        var tree = new DecisionTree([0, -1, -1], [1, 0, 0], [1, -1, -1], [2, -1, -1], [0, 1, 1], [5, 4, 1]);
        var model = new IsolationForestModel(["a"], sampleSize: 5, [tree], threshold: 0.5);

        Assert.Equal(1 + IsolationForestModel.AveragePathLength(4), model.PathLength([0]), 12);
        Assert.Equal(1, model.PathLength([2]), 12);
        Assert.Equal(Math.Pow(2, -1 / IsolationForestModel.AveragePathLength(5)), model.Score([2]), 12);
    }
}
