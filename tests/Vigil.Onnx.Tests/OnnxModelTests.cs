using Vigil.Models;

namespace Vigil.Onnx.Tests;

/// <summary>The fixtures of tools/onnx/make_fixtures.py, scored by ONNX Runtime and checked against their formulas.</summary>
public sealed class OnnxModelTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    // Rows of amount, customer_nb_tx_1d, terminal_risk_7d, across both sides of every split and threshold.
    private static readonly double[][] Rows =
    [
        [5, 0, 0], [99.99, 1, 0.1], [100, 2, 0.19], [150, 0, 0.2], [250, 5, 0.49], [250, 5, 0.5], [400, 10, 0.9], [1000, 3, 1], [0.01, 0, 0.75],
    ];

    [Fact]
    public void A_linear_classifier_with_zipmap_scores_its_logistic_formula_with_inputs_and_threshold_from_its_metadata()
    {
        using var model = OnnxModel.Load(Path.Combine(Fixtures, "linear.onnx"));

        Assert.Equal(ModelKind.Onnx, model.Kind);
        Assert.Equal(["amount", "customer_nb_tx_1d", "terminal_risk_7d"], model.Inputs);
        Assert.Equal(0.5, model.Threshold);
        Assert.Matches("^onnx-[0-9a-f]{8}$", model.Version);
        Assert.Equal(["customer_nb_tx_1d", "terminal_risk_7d"], model.Features.Definitions.Select(d => d.Name));
        foreach (var row in Rows)
        {
            var expected = Model.Sigmoid((0.02 * row[0]) + (0.5 * row[1]) - (1.5 * row[2]) - 4);
            Assert.Equal(expected, model.Score(row), 5);
        }
    }

    [Fact]
    public void A_tree_ensemble_classifier_scores_the_logistic_of_its_leaves_and_takes_class_one_of_its_probabilities()
    {
        using var model = OnnxModel.Load(Path.Combine(Fixtures, "trees.onnx"));

        Assert.Equal(["amount", "terminal_risk_7d"], model.Inputs);
        Assert.Equal(0.6, model.Threshold);
        foreach (var row in Rows)
        {
            var (amount, risk) = (row[0], row[2]);
            var first = amount < 100 ? -1.0 : risk < 0.5 ? 0.5 : 2.0;
            var second = risk < 0.2 ? -0.5 : 1.0;
            Assert.Equal(Model.Sigmoid(first + second), model.Score([amount, risk]), 5);
        }
    }

    [Fact]
    public void A_plain_graph_with_one_input_a_feature_takes_its_inputs_by_name_and_reads_its_single_probability()
    {
        using var model = OnnxModel.Load(Path.Combine(Fixtures, "sigmoid.onnx"));

        Assert.Equal(["amount", "terminal_risk_7d"], model.Inputs);
        Assert.Equal(0.5, model.Threshold);
        foreach (var row in Rows)
        {
            Assert.Equal(Model.Sigmoid((0.01 * row[0]) + (2 * row[2]) - 3), model.Score([row[0], row[2]]), 5);
        }
    }

    [Theory]
    [InlineData("linear.onnx", 3)]
    [InlineData("trees.onnx", 2)]
    [InlineData("sigmoid.onnx", 2)]
    public void Scoring_a_batch_in_one_run_gives_each_row_s_own_score(string file, int width)
    {
        using var model = OnnxModel.Load(Path.Combine(Fixtures, file));
        var rows = Rows.SelectMany(r => width == 3 ? r : [r[0], r[2]]).ToArray();
        var scores = new double[Rows.Length];

        model.ScoreRows(rows, scores);

        for (var i = 0; i < Rows.Length; i++)
        {
            Assert.Equal(model.Score(rows.AsSpan(i * width, width)), scores[i], 6); // float arithmetic, batched or not
        }
    }

    [Fact]
    public void Names_and_threshold_given_by_the_caller_override_the_metadata_and_a_wrong_count_is_refused()
    {
        using var model = OnnxModel.Load(Path.Combine(Fixtures, "trees.onnx"), ["tx_amount", "risk"], threshold: 0.9);

        Assert.Equal(["tx_amount", "risk"], model.Inputs);
        Assert.Equal(0.9, model.Threshold);
        var wrong = Assert.Throws<ModelFormatException>(() => OnnxModel.Load(Path.Combine(Fixtures, "trees.onnx"), ["a", "b", "c"]));
        Assert.Equal("its input 'X' takes 2 values, and 3 names were given (a,b,c)", wrong.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a model")]
    [InlineData("{\"format\":\"vigil-model\"}")]
    public void A_file_that_is_not_an_onnx_model_is_refused_with_a_reason(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vigil-onnx-{Guid.NewGuid():N}.onnx");
        File.WriteAllText(path, content);
        try
        {
            var e = Assert.Throws<ModelFormatException>(() => OnnxModel.Load(path));
            Assert.StartsWith("ONNX Runtime cannot load it: ", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Its_reasons_are_none_and_its_kind_is_never_read_as_a_trainable_one()
    {
        using var model = OnnxModel.Load(Path.Combine(Fixtures, "linear.onnx"));
        var contributions = new double[] { 1, 2, 3 };

        model.Explain([1000, 3, 0], contributions);

        Assert.All(contributions, c => Assert.Equal(0, c));
        Assert.Equal("onnx", ModelKind.Onnx.Name());
        Assert.False(ModelKinds.TryParse("onnx", out _));
    }
}
