using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Vigil.Features;
using Vigil.Models;

namespace Vigil.Onnx;

/// <summary>
/// A model in ONNX (written by sklearn-onnx, another framework, or by hand) scored with ONNX Runtime: its inputs are
/// Vigil's features and record fields by name, its output the fraud probability.
/// </summary>
/// <remarks>
/// <para>Inputs: either one input per value, each named as the feature or field it takes (<c>amount</c>,
/// <c>terminal_risk_7d</c>), or one input of several values whose names the model's metadata lists
/// (<c>vigil.inputs</c> = <c>amount,customer_nb_tx_1d,…</c>, in order) or the caller gives. Float or double.</para>
/// <para>Output: a classifier's probabilities (a tensor [N, 2], or ZipMap's sequence of maps), class 1's taken; or a
/// single probability [N, 1]. Threshold: the caller's, else metadata <c>vigil.threshold</c>, else 0.5.</para>
/// <para>ONNX Runtime allocates on every run, and an ONNX graph gives no reasons: decisions carry the score without
/// them. <see cref="ScoreRows"/> scores a batch in one run.</para>
/// </remarks>
public sealed class OnnxModel : Model, IDisposable
{
    public const string InputsMetadata = "vigil.inputs";
    public const string ThresholdMetadata = "vigil.threshold";
    public const string VersionMetadata = "vigil.version";

    private readonly InferenceSession _session;
    private readonly string[] _graphInputs;
    private readonly bool _double;
    private readonly string _output;
    private readonly OutputShape _shape;

    private OnnxModel(InferenceSession session, IReadOnlyList<string> inputs, string[] graphInputs, bool isDouble, string output, OutputShape shape, double threshold)
        : base(inputs, threshold)
    {
        _session = session;
        _graphInputs = graphInputs;
        _double = isDouble;
        _output = output;
        _shape = shape;
    }

    private enum OutputShape
    {
        /// <summary>[N, 2] or more: class 1's column.</summary>
        Classes,

        /// <summary>[N, 1] or [N]: the probability.</summary>
        Single,

        /// <summary>ZipMap's seq(map(int64, float)): key 1.</summary>
        ZipMap,
    }

    public override ModelKind Kind => ModelKind.Onnx;

    /// <summary>The graph input(s) and output read, for messages: <c>X[3] → probabilities</c>.</summary>
    public string Describe() => $"{string.Join(", ", _graphInputs.Select(i => _graphInputs.Length == 1 ? $"{i}[{Inputs.Count}]" : i))} → {_output}";

    /// <summary>Loads an ONNX file.</summary>
    /// <param name="inputs">The names of a single multi-value input's values, in order, overriding the metadata's.</param>
    /// <param name="threshold">Overrides the metadata's threshold.</param>
    /// <exception cref="ModelFormatException">Not an ONNX model ONNX Runtime can run, or one whose inputs or output Vigil cannot tell.</exception>
    public static OnnxModel Load(string path, IReadOnlyList<string>? inputs = null, double? threshold = null)
    {
        var bytes = File.ReadAllBytes(path);
        InferenceSession session;
        try
        {
            session = new InferenceSession(bytes);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFormatException($"ONNX Runtime cannot load it: {e.Message}", e);
        }

        try
        {
            var metadata = session.ModelMetadata.CustomMetadataMap;
            var (names, graphInputs, isDouble) = ReadInputs(session, inputs ?? (metadata.TryGetValue(InputsMetadata, out var listed) ? Split(listed) : null));
            var (output, shape) = ReadOutput(session);
            var chosen = threshold ?? (metadata.TryGetValue(ThresholdMetadata, out var text)
                ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                    ? value
                    : throw new ModelFormatException($"metadata {ThresholdMetadata} '{text}' is not a number")
                : 0.5);
            return new OnnxModel(session, names, graphInputs, isDouble, output, shape, chosen)
            {
                Version = metadata.TryGetValue(VersionMetadata, out var version) && version.Length > 0
                    ? version
                    : $"onnx-{Convert.ToHexStringLower(SHA256.HashData(bytes))[..8]}",
                Features = metadata.TryGetValue(Export.OnnxExport.FeaturesMetadata, out var declared) ? ReadFeatures(declared) : FeaturesOf(names),
            };
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public override double Score(ReadOnlySpan<double> inputs)
    {
        Span<double> score = stackalloc double[1];
        ScoreRows(inputs, score);
        return score[0];
    }

    public override void ScoreRows(ReadOnlySpan<double> rows, Span<double> scores)
    {
        var count = scores.Length;
        if (count == 0)
        {
            return;
        }

        var width = Inputs.Count;
        var values = new List<NamedOnnxValue>(_graphInputs.Length);
        if (_graphInputs.Length == 1)
        {
            values.Add(Input(_graphInputs[0], rows[..(count * width)], count, width, 0, width));
        }
        else
        {
            for (var j = 0; j < width; j++)
            {
                values.Add(Input(_graphInputs[j], rows[..(count * width)], count, 1, j, width));
            }
        }

        using var results = _session.Run(values, [_output]);
        var result = results[0];
        switch (_shape)
        {
            case OutputShape.ZipMap:
                var i = 0;
                foreach (var map in result.AsEnumerable<NamedOnnxValue>())
                {
                    scores[i++] = map.AsDictionary<long, float>().TryGetValue(1, out var p) ? p : double.NaN;
                }

                break;
            default:
                // Row r's probability: column 1 of [N, classes], or the only value of [N, 1] and [N].
                var (column, stride) = _shape == OutputShape.Classes ? (1, Width(result)) : (0, 1);
                if (result.Value is Tensor<double> doubles)
                {
                    var all = doubles.ToArray();
                    for (var r = 0; r < count; r++)
                    {
                        scores[r] = all[(r * stride) + column];
                    }
                }
                else
                {
                    var all = result.AsTensor<float>().ToArray();
                    for (var r = 0; r < count; r++)
                    {
                        scores[r] = all[(r * stride) + column];
                    }
                }

                break;
        }

        for (var r = 0; r < count; r++)
        {
            scores[r] = double.IsNaN(scores[r]) ? double.NaN : Math.Clamp(scores[r], 0, 1);
        }
    }

    /// <summary>An ONNX graph gives no per-input reasons: every contribution is 0, so decisions carry the score alone.</summary>
    public override void Explain(ReadOnlySpan<double> inputs, Span<double> contributions) => contributions.Clear();

    public void Dispose() => _session.Dispose();

    /// <summary>A [rows, columns] tensor of the columns starting at <paramref name="first"/> of each row.</summary>
    private NamedOnnxValue Input(string name, ReadOnlySpan<double> rows, int count, int columns, int first, int width)
    {
        if (_double)
        {
            var tensor = new DenseTensor<double>([count, columns]);
            for (var r = 0; r < count; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    tensor[r, c] = rows[(r * width) + first + c];
                }
            }

            return NamedOnnxValue.CreateFromTensor(name, tensor);
        }

        var floats = new DenseTensor<float>([count, columns]);
        for (var r = 0; r < count; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                floats[r, c] = (float)rows[(r * width) + first + c];
            }
        }

        return NamedOnnxValue.CreateFromTensor(name, floats);
    }

    private static (IReadOnlyList<string> Names, string[] GraphInputs, bool IsDouble) ReadInputs(InferenceSession session, IReadOnlyList<string>? given)
    {
        var graph = session.InputMetadata;
        if (graph.Count == 0)
        {
            throw new ModelFormatException("the graph has no input");
        }

        foreach (var (name, input) in graph)
        {
            if (!input.IsTensor || (input.ElementType != typeof(float) && input.ElementType != typeof(double)))
            {
                throw new ModelFormatException($"input '{name}' is not a tensor of float or double ({input.OnnxValueType}, {input.ElementType.Name}): Vigil's inputs are numbers");
            }
        }

        var isDouble = graph.Values.First().ElementType == typeof(double);
        if (graph.Values.Any(i => (i.ElementType == typeof(double)) != isDouble))
        {
            throw new ModelFormatException("the graph's inputs mix float and double");
        }

        if (graph.Count > 1)
        {
            // One input a value, named as the value.
            foreach (var (name, input) in graph)
            {
                if (Width(input) is not (1 or -1))
                {
                    throw new ModelFormatException($"input '{name}' takes {Width(input)} values; a graph of several inputs takes one value in each");
                }
            }

            return ([.. graph.Keys], [.. graph.Keys], isDouble);
        }

        var (only, metadata) = graph.First();
        var width = Width(metadata);
        if (given is null)
        {
            return width == 1
                ? ([only], [only], isDouble)
                : throw new ModelFormatException(
                    $"its one input '{only}' takes {(width < 0 ? "several" : width.ToString(CultureInfo.InvariantCulture))} values: name them, in order, in the model's metadata {InputsMetadata} (e.g. amount,customer_nb_tx_1d) or with --onnx-inputs");
        }

        if (width > 0 && given.Count != width)
        {
            throw new ModelFormatException($"its input '{only}' takes {width} values, and {given.Count} names were given ({string.Join(',', given)})");
        }

        return (given, [only], isDouble);
    }

    /// <summary>Values per row: the last dimension of [N, F] (-1 when symbolic), 1 for [N].</summary>
    private static int Width(NodeMetadata input) => input.Dimensions.Length switch
    {
        1 => 1,
        2 => input.Dimensions[1],
        _ => throw new ModelFormatException($"an input of {input.Dimensions.Length} dimensions is not a row of values"),
    };

    private static (string Name, OutputShape Shape) ReadOutput(InferenceSession session)
    {
        string[] preferred = ["probabilities", "output_probability", "probability"];
        var candidates = new List<(string Name, OutputShape Shape)>();
        foreach (var (name, output) in session.OutputMetadata)
        {
            if (output.OnnxValueType == OnnxValueType.ONNX_TYPE_SEQUENCE)
            {
                candidates.Add((name, OutputShape.ZipMap));
            }
            else if (output.IsTensor && (output.ElementType == typeof(float) || output.ElementType == typeof(double)))
            {
                var last = output.Dimensions.Length == 0 ? 1 : output.Dimensions[^1];
                if (output.Dimensions.Length == 1 || last == 1)
                {
                    candidates.Add((name, OutputShape.Single));
                }
                else if (last >= 2)
                {
                    candidates.Add((name, OutputShape.Classes));
                }
            }
        }

        return candidates.OrderBy(c => Array.IndexOf(preferred, c.Name) is var at && at < 0 ? int.MaxValue : at).FirstOrDefault() is { Name: not null } chosen
            ? chosen
            : throw new ModelFormatException(
                $"no output gives a probability (outputs: {string.Join(", ", session.OutputMetadata.Select(o => $"{o.Key} {o.Value.OnnxValueType} {o.Value.ElementType.Name}"))}): expected float or double probabilities [N, 2], ZipMap's maps, or one probability [N, 1]");
    }

    /// <summary>The built-in features among the inputs, for the pipeline to compute (Vigil's set first, then the handbook's).</summary>
    private static FeatureSet FeaturesOf(IReadOnlyList<string> inputs)
    {
        var known = FeatureSet.Vigil.Definitions.Concat(FeatureSet.Handbook.Definitions).GroupBy(d => d.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var needed = inputs.SelectMany(i => i.Split('/')).Distinct().Where(known.ContainsKey).Select(n => known[n]).ToList();
        return needed.Count == 0 ? FeatureSet.None : new FeatureSet("onnx", needed);
    }

    /// <summary>The features a model exported by Vigil declares (metadata <c>vigil.features</c>), as its JSON file did.</summary>
    private static FeatureSet ReadFeatures(string json)
    {
        try
        {
            return ModelJson.ReadFeatures(JsonNode.Parse(json));
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"metadata {Export.OnnxExport.FeaturesMetadata} is not JSON: {e.Message}", e);
        }
    }

    /// <summary>The number of columns of a [N, C] result.</summary>
    private static int Width(NamedOnnxValue result) => result.Value switch
    {
        Tensor<double> doubles => doubles.Dimensions[^1],
        Tensor<float> floats => floats.Dimensions[^1],
        _ => throw new InvalidOperationException($"output {result.Name} is not a tensor of numbers"),
    };

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
