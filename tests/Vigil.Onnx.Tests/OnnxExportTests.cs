using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Vigil.Features;
using Vigil.Models;
using Vigil.Onnx.Export;
using Vigil.Testing;

namespace Vigil.Onnx.Tests;

/// <summary>
/// Vigil's models written as ONNX and scored by ONNX Runtime give Vigil's own scores: random models over 100,000 rows
/// whose values often equal the trees' thresholds and are sometimes missing.
/// </summary>
public sealed class OnnxExportTests : IDisposable
{
    private const int Width = 9;
    private const int RowCount = 100_000;

    private static readonly string[] Inputs =
        ["amount", "customer_nb_tx_1d", "customer_avg_amount_7d", "terminal_risk_7d", "terminal_nb_tx_7d", "hour", "is_weekend", "is_night", "record.tx_fraud_scenario"];

    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-onnx-export-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_logistic_regression_scores_in_onnx_runtime_as_vigil_scores_it_missing_values_included()
    {
        var random = new Random(11);
        var model = RandomLinear(random);
        model.Version = "lr-test";

        var exported = ScoreExported(model, out var loaded);

        AssertSameScores(model, exported);
        Assert.Equal(model.Inputs, loaded.Inputs);
        Assert.Equal(model.Threshold, loaded.Threshold);
        Assert.Equal("lr-test", loaded.Version);
    }

    [Fact]
    public void Gradient_boosted_trees_with_a_linear_base_score_in_onnx_runtime_as_vigil_scores_them()
    {
        var random = new Random(12);
        var model = new GradientBoostedModel(Inputs, -2.5, [.. Enumerable.Range(0, 100).Select(_ => RandomTree(random))], 0.37, RandomLinear(random));

        AssertSameScores(model, ScoreExported(model, out _));
    }

    [Fact]
    public void Gradient_boosted_trees_without_a_linear_base_score_in_onnx_runtime_as_vigil_scores_them()
    {
        var random = new Random(13);
        var model = new GradientBoostedModel(Inputs, 0.75, [.. Enumerable.Range(0, 40).Select(_ => RandomTree(random))], 0.5);

        AssertSameScores(model, ScoreExported(model, out _));
    }

    [Fact]
    public void The_label_output_is_one_exactly_where_the_probability_reaches_the_threshold_and_features_travel_in_the_metadata()
    {
        var features = new FeatureSet("custom", [.. FeatureSet.Vigil.Definitions.Take(3)]);
        var model = new GradientBoostedModel(Inputs, 0, [.. Enumerable.Range(0, 10).Select(_ => RandomTree(new Random(14)))], 0.5, RandomLinear(new Random(15)))
        {
            Features = features,
        };
        var path = Path.Combine(_directory, "model.onnx");
        File.WriteAllBytes(path, OnnxExport.Write(model));
        var rows = Rows(new Random(16), 2_000);

        using var session = new InferenceSession(path);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.Input, new DenseTensor<double>(rows, [2_000, Width]))]);
        var labels = results.Single(r => r.Name == "label").AsTensor<long>().ToArray();
        var probabilities = results.Single(r => r.Name == "probabilities").AsTensor<double>();

        Assert.Equal(2_000, labels.Length);
        Assert.Contains(0L, labels);
        Assert.Contains(1L, labels);
        for (var r = 0; r < labels.Length; r++)
        {
            Assert.Equal(probabilities[r, 1] >= model.Threshold ? 1 : 0, labels[r]);
            Assert.Equal(1, probabilities[r, 0] + probabilities[r, 1], 12);
        }

        using var loaded = OnnxModel.Load(path);
        Assert.Equal(features.Definitions.Select(d => d.ToString()), loaded.Features.Definitions.Select(d => d.ToString()));
        Assert.Equal("custom", loaded.Features.Name);
    }

    [Fact]
    public async Task The_files_pass_the_onnx_reference_checker()
    {
        var random = new Random(17);
        var linear = Path.Combine(_directory, "linear.onnx");
        var trees = Path.Combine(_directory, "trees.onnx");
        File.WriteAllBytes(linear, OnnxExport.Write(RandomLinear(random)));
        File.WriteAllBytes(trees, OnnxExport.Write(new GradientBoostedModel(Inputs, 0, [RandomTree(random), RandomTree(random)], 0.5, RandomLinear(random))));

        // Debian's python3-onnx (test.sh installs it): the reference implementation's full check, types and shapes included.
        var output = await ExternalProgram.PythonAsync(
            "import onnx, sys\nfor p in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(p), full_check=True)\nprint('ok')", [linear, trees], packages: "python3-onnx");

        Assert.Equal("ok", output.Trim());
    }

    [Theory]
    [InlineData("{not json", "metadata vigil.features is not JSON")]
    [InlineData("[1,2]", "features: expected an object of set and definitions")]
    [InlineData("""{"set":"x","definitions":["no formula here"]}""", "features: ")]
    public void A_file_whose_declared_features_are_broken_is_refused_with_a_reason(string features, string reason)
    {
        var graph = new OnnxGraph();
        graph.Input(OnnxExport.Input, OnnxGraph.ElementType.Double, "N", 1);
        graph.Node("Sigmoid", [OnnxExport.Input], "probability");
        graph.Output("probability", OnnxGraph.ElementType.Double, "N", 1);
        var path = Path.Combine(_directory, "broken.onnx");
        File.WriteAllBytes(path, graph.ToModel("broken", "a sigmoid", [(string.Empty, 13)], "test",
            new Dictionary<string, string> { [OnnxModel.InputsMetadata] = "amount", [OnnxExport.FeaturesMetadata] = features }));

        var e = Assert.Throws<ModelFormatException>(() => OnnxModel.Load(path));

        Assert.StartsWith(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_isolation_forest_has_no_onnx_form_and_says_which_kinds_do()
    {
        var forest = new IsolationForestModel(["amount"], 256, [new DecisionTree([-1], [0], [0], [0], [1], [1])], 0.6);

        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.Write(forest));

        Assert.Equal("a iforest model has no ONNX form: Vigil exports logistic regression (lr) and gradient-boosted trees (gbt)", e.Message);
    }

    private static void AssertSameScores(Model model, double[] exported)
    {
        var rows = Rows(new Random(99), RowCount);
        var worst = 0.0;
        for (var r = 0; r < RowCount; r++)
        {
            worst = Math.Max(worst, Math.Abs(model.Score(rows.AsSpan(r * Width, Width)) - exported[r]));
        }

        Assert.InRange(worst, 0, 1e-6);
    }

    /// <summary>The model's scores of the 100,000 rows, written as ONNX, loaded back and scored by ONNX Runtime.</summary>
    private double[] ScoreExported(Model model, out OnnxModel loaded)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, OnnxExport.Write(model));
        loaded = OnnxModel.Load(path);
        using var session = loaded;
        var rows = Rows(new Random(99), RowCount);
        var scores = new double[RowCount];
        const int Batch = 10_000;
        for (var r = 0; r < RowCount; r += Batch)
        {
            loaded.ScoreRows(rows.AsSpan(r * Width, Batch * Width), scores.AsSpan(r, Batch));
        }

        return scores;
    }

    /// <summary>Values drawn from a few per input (so rows often sit exactly on a threshold), one in 20 missing.</summary>
    private static double[] Rows(Random random, int count)
    {
        var rows = new double[count * Width];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = random.Next(20) == 0 ? double.NaN : Value(random, i % Width);
        }

        return rows;
    }

    private static double Value(Random random, int input) => (input * 3.7) + (random.Next(12) * 0.25) + (input == 0 ? random.Next(3) * 101.3 : 0);

    private static LogisticModel RandomLinear(Random random) => new(
        Inputs,
        [.. Enumerable.Range(0, Width).Select(i => Value(random, i))],
        [.. Enumerable.Range(0, Width).Select(_ => 0.2 + random.NextDouble())],
        [.. Enumerable.Range(0, Width).Select(_ => (random.NextDouble() - 0.5) * 2)],
        -1.3,
        0.42);

    /// <summary>A tree up to 6 deep, children after their parent, thresholds among the values rows take.</summary>
    private static DecisionTree RandomTree(Random random)
    {
        List<int> feature = [], left = [], right = [];
        List<double> threshold = [], value = [];
        var pending = new Queue<(int Node, int Depth)>();
        AddNode();
        pending.Enqueue((0, 0));
        while (pending.TryDequeue(out var item))
        {
            if (item.Depth >= 6 || (item.Depth > 1 && random.Next(4) == 0))
            {
                continue;
            }

            var input = random.Next(Width);
            feature[item.Node] = input;
            threshold[item.Node] = Value(random, input);
            left[item.Node] = AddNode();
            right[item.Node] = AddNode();
            pending.Enqueue((left[item.Node], item.Depth + 1));
            pending.Enqueue((right[item.Node], item.Depth + 1));
        }

        return new DecisionTree([.. feature], [.. threshold], [.. left], [.. right], [.. value], [.. value.Select(_ => 1.0)]);

        int AddNode()
        {
            feature.Add(-1);
            threshold.Add(0);
            left.Add(0);
            right.Add(0);
            value.Add((random.NextDouble() - 0.5) * 0.6);
            return feature.Count - 1;
        }
    }
}
