using Vigil.Learning.Evaluation;
using Vigil.Learning.Training;
using Vigil.Models;

namespace Vigil.Learning.Tests;

public sealed class LogisticRegressionTests
{
    [Fact]
    public void Without_regularization_a_binary_input_reproduces_each_groups_fraud_rate()
    {
        // The maximum-likelihood fit of one binary input is analytic: σ(b) = rate where x = 0, σ(b + w) = rate where x = 1.
        var rows = new List<(double[], int)>();
        for (var i = 0; i < 100; i++)
        {
            rows.Add(([0], i < 10 ? 1 : 0));
            rows.Add(([1], i < 60 ? 1 : 0));
        }

        var model = new LogisticRegressionTrainer(new LogisticRegressionOptions { C = 1e12, Tolerance = 1e-10 }).Train(Rows.Of(["x"], rows));

        Assert.Equal(0.10, model.Score([0]), 5);
        Assert.Equal(0.60, model.Score([1]), 5);
    }

    [Fact]
    public void L2_regularization_shrinks_the_weight_as_C_gets_smaller()
    {
        var shifted = Rows.Of(["x"], [.. Enumerable.Range(0, 200).Select(i => (new double[] { i % 10 }, i % 10 >= 6 ? 1 : 0))]);
        var loose = new LogisticRegressionTrainer(new LogisticRegressionOptions { C = 100 }).Train(shifted);
        var tight = new LogisticRegressionTrainer(new LogisticRegressionOptions { C = 0.01 }).Train(shifted);

        Assert.True(Math.Abs(tight.Weights[0]) < Math.Abs(loose.Weights[0]) / 2, $"{tight.Weights[0]} vs {loose.Weights[0]}");
    }

    [Fact]
    public void Separable_data_is_ranked_perfectly_and_its_threshold_separates_it()
    {
        var data = Rows.Of(["amount"], [.. Enumerable.Range(0, 100).Select(i => (new double[] { i }, i >= 80 ? 1 : 0))]);
        var model = new LogisticRegressionTrainer(new LogisticRegressionOptions()).Train(data);
        var scores = Scores.Of(model, data);

        Assert.Equal(1.0, RankingMetrics.RocAuc(scores, data.Labels));
        var metrics = ClassificationMetrics.Measure(scores, data, model.Threshold);
        Assert.Equal(20, metrics.TruePositives);
        Assert.Equal(0, metrics.FalsePositives);
    }

    [Fact]
    public void Contributions_are_weight_times_standardized_value_and_a_missing_input_contributes_nothing()
    {
        var model = new LogisticModel(["a", "b"], mean: [10, 0], scale: [2, 1], weights: [0.5, -1], intercept: -3, threshold: 0.5);
        var contributions = new double[2];

        model.Explain([14, double.NaN], contributions);

        Assert.Equal([1.0, 0.0], contributions);
        Assert.Equal(Model.Sigmoid(-3 + 1), model.Score([14, double.NaN]), 12);
    }
}
