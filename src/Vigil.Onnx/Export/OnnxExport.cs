using System.Globalization;
using System.Reflection;
using Vigil.Models;
using ElementType = Vigil.Onnx.Export.OnnxGraph.ElementType;

namespace Vigil.Onnx.Export;

/// <summary>
/// Writes Vigil's logistic regression and gradient-boosted trees as standard ONNX graphs (ONNX opset 13 and ai.onnx.ml
/// opset 3), so that a Vigil model runs wherever ONNX models run.
/// </summary>
/// <remarks>
/// <para>One input <c>X</c>: double [N, F], the model's inputs in order (NaN for a missing value), listed in the metadata
/// <c>vigil.inputs</c>. Outputs as a classifier's: <c>label</c> (int64 [N], 1 at or above the threshold) and
/// <c>probabilities</c> (double [N, 2], class 1 the fraud probability). Everything is computed in double, the trees'
/// thresholds included, so that rows on either side of a split go the way Vigil sends them; only the trees' sum passes
/// through float (TreeEnsembleRegressor's output type), which moves a probability by less than 1e-7.</para>
/// <para>A missing input: a logistic regression takes it at its mean (contributes nothing), a tree sends it left
/// (<c>BRANCH_LEQ</c> with <c>nodes_missing_value_tracks_true</c>), as Vigil does.</para>
/// </remarks>
public static class OnnxExport
{
    public const string Input = "X";
    public const string FeaturesMetadata = "vigil.features";

    /// <summary>The model as an ONNX file.</summary>
    /// <exception cref="NotSupportedException">A kind with no ONNX form here (an isolation forest, an ONNX model).</exception>
    public static byte[] Write(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = new OnnxGraph();
        graph.Input(Input, ElementType.Double, "N", model.Inputs.Count);
        var margin = model switch
        {
            LogisticModel logistic => LinearMargin(graph, logistic, "linear"),
            GradientBoostedModel boosted => BoostedMargin(graph, boosted),
            _ => throw new NotSupportedException($"a {model.Kind.Name()} model has no ONNX form: Vigil exports logistic regression (lr) and gradient-boosted trees (gbt)"),
        };

        var fraud = graph.Node("Sigmoid", [margin], "fraud_probability");
        var genuine = graph.Node("Sub", [graph.Constant("one", [1.0]), fraud], "genuine_probability");
        graph.Node("Concat", [genuine, fraud], "probabilities", a => a.Int("axis", 1));
        var flagged = graph.Node("GreaterOrEqual", [fraud, graph.Constant("threshold", [model.Threshold])], "flagged");
        var labels = graph.Node("Cast", [flagged], "label_column", a => a.Int("to", (long)ElementType.Int64));
        graph.Node("Squeeze", [labels, graph.Constant("label_axes", [1L], 1)], "label");
        graph.Output("label", ElementType.Int64, "N");
        graph.Output("probabilities", ElementType.Double, "N", 2);

        var version = typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        return graph.ToModel(
            model.Version,
            $"Vigil {model.Kind.Name()} model {model.Version}: fraud probability of rows of {string.Join(',', model.Inputs)}",
            [(string.Empty, 13), ("ai.onnx.ml", 3)],
            version,
            new Dictionary<string, string>
            {
                [OnnxModel.InputsMetadata] = string.Join(',', model.Inputs),
                [OnnxModel.ThresholdMetadata] = model.Threshold.ToString("R", CultureInfo.InvariantCulture),
                [OnnxModel.VersionMetadata] = model.Version,
                [FeaturesMetadata] = ModelJson.WriteFeatures(model.Features).ToJsonString(),
            });
    }

    /// <summary>Intercept + Σ weight × (x − mean) / scale, a missing x contributing nothing: [N, 1].</summary>
    private static string LinearMargin(OnnxGraph graph, LogisticModel model, string prefix)
    {
        var width = model.Inputs.Count;
        var centered = graph.Node("Sub", [Input, graph.Constant($"{prefix}_mean", model.Mean, width)], $"{prefix}_centered");
        var standardized = graph.Node("Div", [centered, graph.Constant($"{prefix}_scale", model.Scale, width)], $"{prefix}_standardized");
        var missing = graph.Node("IsNaN", [Input], $"{prefix}_missing");
        var filled = graph.Node("Where", [missing, graph.Constant($"{prefix}_zero", [0.0]), standardized], $"{prefix}_filled");
        var sum = graph.Node("MatMul", [filled, graph.Constant($"{prefix}_weights", model.Weights, width, 1)], $"{prefix}_sum");
        return graph.Node("Add", [sum, graph.Constant($"{prefix}_intercept", [model.Intercept], 1)], $"{prefix}_margin");
    }

    /// <summary>Base margin + the linear base's margin + the sum of the trees' leaves: [N, 1].</summary>
    private static string BoostedMargin(OnnxGraph graph, GradientBoostedModel model)
    {
        var start = graph.Constant("base_margin", [model.BaseMargin], 1);
        if (model.LinearBase is { } linear)
        {
            start = graph.Node("Add", [LinearMargin(graph, linear, "linear_base"), start], "start_margin");
        }

        var leaves = graph.Node("TreeEnsembleRegressor", [Input], "tree_sum_float", a => Trees(a, model.Trees), "ai.onnx.ml");
        var trees = graph.Node("Cast", [leaves], "tree_sum", a => a.Int("to", (long)ElementType.Double));
        return graph.Node("Add", [start, trees], "margin");
    }

    /// <summary>
    /// The trees as TreeEnsembleRegressor's parallel lists: an internal node sends x ≤ threshold (or missing) to its
    /// true branch, Vigil's left; a leaf is a target of its value.
    /// </summary>
    private static void Trees(OnnxAttributes attributes, IReadOnlyList<DecisionTree> trees)
    {
        List<long> treeIds = [], nodeIds = [], features = [], trueIds = [], falseIds = [], targetTrees = [], targetNodes = [];
        List<string> modes = [];
        List<double> thresholds = [], weights = [];
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            for (var node = 0; node < tree.Count; node++)
            {
                var leaf = tree.IsLeaf(node);
                treeIds.Add(t);
                nodeIds.Add(node);
                features.Add(leaf ? 0 : tree.Feature[node]);
                modes.Add(leaf ? "LEAF" : "BRANCH_LEQ");
                thresholds.Add(leaf ? 0 : tree.Threshold[node]);
                trueIds.Add(leaf ? 0 : tree.Left[node]);
                falseIds.Add(leaf ? 0 : tree.Right[node]);
                if (leaf)
                {
                    targetTrees.Add(t);
                    targetNodes.Add(node);
                    weights.Add(tree.Value[node]);
                }
            }
        }

        attributes
            .Int("n_targets", 1)
            .String("aggregate_function", "SUM")
            .String("post_transform", "NONE")
            .Ints("nodes_treeids", treeIds)
            .Ints("nodes_nodeids", nodeIds)
            .Ints("nodes_featureids", features)
            .Strings("nodes_modes", modes)
            .Doubles("nodes_values_as_tensor", [.. thresholds])
            .Ints("nodes_truenodeids", trueIds)
            .Ints("nodes_falsenodeids", falseIds)
            .Ints("nodes_missing_value_tracks_true", features.Select((_, i) => modes[i] == "LEAF" ? 0L : 1L))
            .Ints("target_treeids", targetTrees)
            .Ints("target_nodeids", targetNodes)
            .Ints("target_ids", targetTrees.Select(_ => 0L))
            .Doubles("target_weights_as_tensor", [.. weights]);
    }
}
