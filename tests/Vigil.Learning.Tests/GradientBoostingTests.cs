using Vigil.Learning.Evaluation;
using Vigil.Learning.Training;
using Vigil.Models;

namespace Vigil.Learning.Tests;

public sealed class GradientBoostingTests
{
    private static readonly GradientBoostingOptions Small = new() { LinearBase = false, Trees = 60, LearningRate = 0.3, MaxDepth = 3, MaxLeaves = 8, EarlyStoppingRounds = 0, ValidationFraction = 0, Threshold = 0.5 };

    [Fact]
    public void Trees_learn_xor_which_no_linear_model_can()
    {
        var train = Rows.Xor(100, seed: 1);
        var test = Rows.Xor(100, seed: 2);

        var trees = new GradientBoostingTrainer(Small).Train(train);
        var linear = new LogisticRegressionTrainer(new LogisticRegressionOptions()).Train(train);

        Assert.True(RankingMetrics.RocAuc(Scores.Of(trees, test), test.Labels) > 0.99);
        Assert.True(RankingMetrics.RocAuc(Scores.Of(linear, test), test.Labels) < 0.65);
    }

    [Fact]
    public void The_same_data_and_seed_train_the_same_model_and_another_seed_another()
    {
        var data = Rows.Xor(100, seed: 3);
        var options = Small with { RowSample = 0.7, ColumnSample = 0.5 };

        var first = ModelJson.Serialize(new GradientBoostingTrainer(options).Train(data));
        var second = ModelJson.Serialize(new GradientBoostingTrainer(options).Train(data));
        var other = ModelJson.Serialize(new GradientBoostingTrainer(options with { Seed = 7 }).Train(data));

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_missing_value_goes_left_as_in_training_and_path_contributions_add_up_to_the_margin()
    {
        var data = Rows.Xor(50, seed: 4);
        var model = new GradientBoostingTrainer(Small).Train(data);
        var row = new[] { 0.9, 0.1 };
        var contributions = new double[2];

        model.Explain(row, contributions);

        var roots = model.Trees.Sum(t => t.Value[0]);
        Assert.Equal(model.Margin(row), model.BaseMargin + roots + contributions.Sum(), 9);
        Assert.Equal(model.Trees.Sum(t => t.Value[t.LeafOf([double.NaN, 0.1])]) + model.BaseMargin, model.Margin([double.NaN, 0.1]), 9);
    }

    [Fact]
    public void Trees_boosted_from_a_linear_base_keep_its_margin_and_explain_both_parts()
    {
        var data = Rows.Xor(60, seed: 6);
        var model = new GradientBoostingTrainer(Small with { LinearBase = true, Trees = 5 }).Train(data);
        var row = new[] { 0.2, 0.9 };
        var contributions = new double[2];

        model.Explain(row, contributions);

        Assert.NotNull(model.LinearBase);
        Assert.Equal(0, model.BaseMargin);
        Assert.Equal(model.LinearBase!.Margin(row) + model.Trees.Sum(t => t.Value[t.LeafOf(row)]), model.Margin(row), 9);
        Assert.Equal(model.Margin(row), model.LinearBase.Intercept + model.Trees.Sum(t => t.Value[0]) + contributions.Sum(), 9);
        var read = (GradientBoostedModel)ModelJson.Deserialize(ModelJson.Serialize(model));
        Assert.Equal(model.Score(row), read.Score(row));
    }

    [Fact]
    public void Early_stopping_keeps_the_trees_with_the_best_validation_loss()
    {
        var rows = new List<(double[], int)>();
        var random = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            // Pure noise: any tree beyond the first few only fits it.
            rows.Add(([random.NextDouble(), random.NextDouble()], random.NextDouble() < 0.3 ? 1 : 0));
        }

        var trainer = new GradientBoostingTrainer(Small with { Trees = 200, EarlyStoppingRounds = 10, ValidationFraction = 0.3, Refit = false });
        var model = trainer.Train(Rows.Of(["a", "b"], rows));

        Assert.True(trainer.TreesKept < 100, $"kept {trainer.TreesKept}");
        Assert.Equal(trainer.TreesKept, model.Trees.Count);
        Assert.Equal(trainer.ValidationLoss.Min(), trainer.ValidationLoss[trainer.TreesKept - 1]);
    }

    [Fact]
    public void Binning_puts_missing_values_in_bin_zero_and_splits_on_value_at_most_the_cut()
    {
        double[] cuts = [1, 2, 5];

        Assert.Equal(0, FeatureBins.BinOf(cuts, double.NaN));
        Assert.Equal(1, FeatureBins.BinOf(cuts, 0.5));
        Assert.Equal(1, FeatureBins.BinOf(cuts, 1));
        Assert.Equal(3, FeatureBins.BinOf(cuts, 4.9));
        Assert.Equal(4, FeatureBins.BinOf(cuts, 6));
    }
}

public sealed class CrossProcessDeterminismTests
{
    [Fact]
    public void A_seeded_model_is_the_same_in_every_process()
    {
        // A per-process salted hash (HashCode) once seeded the trees: same-process runs agreed, separate runs did not.
        var model = new GradientBoostingTrainer(new GradientBoostingOptions { Trees = 10, RowSample = 0.5, ColumnSample = 0.5, EarlyStoppingRounds = 0, ValidationFraction = 0, Threshold = 0.5 })
            .Train(Rows.Xor(50, seed: 9));
        var forest = new IsolationForestTrainer(new IsolationForestOptions { Trees = 5, SampleSize = 32 }).Train(Rows.Xor(50, seed: 9));

        Assert.Equal(ExpectedTrees, Vigil.Models.ModelJson.Deserialize(ModelJson.Serialize(model)).Version);
        Assert.Equal(ExpectedForest, Vigil.Models.ModelJson.Deserialize(ModelJson.Serialize(forest)).Version);
    }

    private const string ExpectedTrees = "gbt-8375407d";
    private const string ExpectedForest = "iforest-a2fe6565";
}
