using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Features;

namespace Vigil.Models;

/// <summary>The versioned JSON form of a model: what <c>vigil train</c> writes and detectors load.</summary>
/// <remarks>
/// <code>{"format":"vigil-model","format_version":1,"kind":"gbt","version":"gbt-1a2b3c4d","inputs":[...],
/// "features":{"set":"vigil","definitions":["customer_nb_tx_1d = count(customer, 1d)",...]},"threshold":0.42,
/// "logistic":{"mean":[...],"scale":[...],"weights":[...],"intercept":-4.2} | "trees":{"base_margin":-4.8,"trees":[...]}
/// (with <c>"linear_base":{…logistic…}</c> when the trees boost from a logistic regression)
/// | "isolation":{"sample_size":256,"trees":[...]},"training":{...},"metrics":{...}}</code>
/// A tree is <c>{"feature":[...],"threshold":[...],"left":[...],"right":[...],"value":[...],"cover":[...]}</c>
/// (see <see cref="DecisionTree"/>). The version, unless the file gives one, is the kind and the first 8 hex digits
/// of the SHA-256 of the parameters, so the same model always has the same version.
/// </remarks>
public static class ModelJson
{
    public const string Format = "vigil-model";
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Serialize(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parameters = Parameters(model);
        var root = new JsonObject
        {
            ["format"] = Format,
            ["format_version"] = FormatVersion,
            ["kind"] = model.Kind.Name(),
            ["version"] = model.Version == "unversioned" ? DefaultVersion(model.Kind, parameters) : model.Version,
            ["inputs"] = new JsonArray([.. model.Inputs.Select(i => JsonValue.Create(i))]),
            ["features"] = WriteFeatures(model.Features),
            ["threshold"] = model.Threshold,
            [ParametersName(model.Kind)] = parameters,
        };
        foreach (var (name, value) in model.Metadata)
        {
            root[name] = value?.DeepClone();
        }

        return root.ToJsonString(Indented);
    }

    /// <summary>Reads a model; anything missing, mistyped or inconsistent is a <see cref="ModelFormatException"/> naming it.</summary>
    public static Model Deserialize(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new ModelFormatException("a model file holds one JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"not JSON: {e.Message}", e);
        }

        if (Text(root, "format") != Format)
        {
            throw new ModelFormatException($"not a Vigil model: \"format\" must be \"{Format}\"");
        }

        var formatVersion = Number(root, "format_version");
        if (formatVersion != FormatVersion)
        {
            throw new ModelFormatException($"model format version {formatVersion} is not supported (this Vigil reads version {FormatVersion})");
        }

        var kindText = Text(root, "kind");
        if (!ModelKinds.TryParse(kindText, out var kind))
        {
            throw new ModelFormatException($"unknown model kind \"{kindText}\" (lr, gbt or iforest)");
        }

        var inputs = Strings(root, "inputs");
        var threshold = Number(root, "threshold");
        var parameters = root[ParametersName(kind)] as JsonObject
            ?? throw new ModelFormatException($"a {kind.Name()} model needs a \"{ParametersName(kind)}\" object");
        Model model;
        try
        {
            model = kind switch
            {
                ModelKind.LogisticRegression => ReadLogistic(parameters, inputs, threshold),
                ModelKind.GradientBoostedTrees => new GradientBoostedModel(inputs, Number(parameters, "base_margin"), Trees(parameters), threshold,
                    parameters["linear_base"] is JsonObject linear ? ReadLogistic(linear, inputs, threshold) : null),
                ModelKind.IsolationForest => new IsolationForestModel(inputs, (int)Number(parameters, "sample_size"), Trees(parameters), threshold),
                _ => throw new ModelFormatException($"a {kind.Name()} model is not a JSON model file"),
            };
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(e.Message, e);
        }

        model.Version = root["version"] is JsonValue v && v.TryGetValue<string>(out var version) && version.Length > 0
            ? version
            : DefaultVersion(kind, parameters);
        model.Features = ReadFeatures(root["features"]);
        var known = new HashSet<string> { "format", "format_version", "kind", "version", "inputs", "features", "threshold", ParametersName(kind) };
        model.Metadata = new JsonObject(root.Where(p => !known.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        return model;
    }

    private static string ParametersName(ModelKind kind) => kind switch
    {
        ModelKind.LogisticRegression => "logistic",
        ModelKind.GradientBoostedTrees => "trees",
        ModelKind.IsolationForest => "isolation",
        _ => throw new ModelFormatException($"a {kind.Name()} model is not a JSON model file"),
    };

    private static JsonObject Parameters(Model model) => model switch
    {
        LogisticModel lr => Logistic(lr),
        GradientBoostedModel { LinearBase: { } linear } gbt => new JsonObject
        {
            ["base_margin"] = gbt.BaseMargin, ["linear_base"] = Logistic(linear), ["trees"] = TreeArray(gbt.Trees),
        },
        GradientBoostedModel gbt => new JsonObject { ["base_margin"] = gbt.BaseMargin, ["trees"] = TreeArray(gbt.Trees) },
        IsolationForestModel forest => new JsonObject { ["sample_size"] = forest.SampleSize, ["trees"] = TreeArray(forest.Trees) },
        _ => throw new ArgumentException($"cannot write a {model.GetType().Name}"),
    };

    private static JsonObject Logistic(LogisticModel lr) => new()
    {
        ["mean"] = Array(lr.Mean), ["scale"] = Array(lr.Scale), ["weights"] = Array(lr.Weights), ["intercept"] = lr.Intercept,
    };

    private static LogisticModel ReadLogistic(JsonObject parameters, IReadOnlyList<string> inputs, double threshold) =>
        new(inputs, Numbers(parameters, "mean"), Numbers(parameters, "scale"), Numbers(parameters, "weights"), Number(parameters, "intercept"), threshold);

    private static string DefaultVersion(ModelKind kind, JsonObject parameters)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(parameters.ToJsonString()));
        return $"{kind.Name()}-{Convert.ToHexStringLower(digest)[..8]}";
    }

    private static JsonArray TreeArray(IReadOnlyList<DecisionTree> trees) =>
        new([.. trees.Select(t => (JsonNode)new JsonObject
        {
            ["feature"] = Array(t.Feature.Select(f => (double)f).ToArray()),
            ["threshold"] = Array(t.Threshold.Select(x => double.IsFinite(x) ? x : 0).ToArray()),
            ["left"] = Array(t.Left.Select(f => (double)f).ToArray()),
            ["right"] = Array(t.Right.Select(f => (double)f).ToArray()),
            ["value"] = Array(t.Value),
            ["cover"] = Array(t.Cover),
        })]);

    private static JsonArray Array(ReadOnlySpan<double> values)
    {
        var array = new JsonArray();
        foreach (var v in values)
        {
            array.Add(v);
        }

        return array;
    }

    private static List<DecisionTree> Trees(JsonObject parameters)
    {
        var array = parameters["trees"] as JsonArray ?? throw new ModelFormatException("\"trees\" must be an array of trees");
        var trees = new List<DecisionTree>(array.Count);
        foreach (var node in array)
        {
            var tree = node as JsonObject ?? throw new ModelFormatException("each tree is a JSON object");
            trees.Add(new DecisionTree(Integers(tree, "feature"), Numbers(tree, "threshold"), Integers(tree, "left"), Integers(tree, "right"),
                Numbers(tree, "value"), Numbers(tree, "cover")));
        }

        return trees;
    }

    /// <summary>A model's declared features as its file holds them: the set's name and each definition as text.</summary>
    public static JsonObject WriteFeatures(FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return new JsonObject
        {
            ["set"] = features.Name,
            ["definitions"] = new JsonArray([.. features.Definitions.Select(d => JsonValue.Create(d.ToString()))]),
        };
    }

    /// <summary>Reads what <see cref="WriteFeatures"/> wrote; nothing (null) is no features.</summary>
    public static FeatureSet ReadFeatures(JsonNode? node)
    {
        if (node is null)
        {
            return FeatureSet.None;
        }

        if (node is not JsonObject features)
        {
            throw new ModelFormatException("features: expected an object of set and definitions");
        }

        var definitions = Strings(features, "definitions");
        try
        {
            return new FeatureSet(Text(features, "set") ?? "model", [.. definitions.Select(FeatureDefinition.Parse)]);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new ModelFormatException($"features: {e.Message}", e);
        }
    }

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static double Number(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d : throw new ModelFormatException($"\"{name}\" must be a number");

    private static double[] Numbers(JsonObject o, string name)
    {
        if (o[name] is not JsonArray array)
        {
            throw new ModelFormatException($"\"{name}\" must be an array of numbers");
        }

        var values = new double[array.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = array[i] is JsonValue v && v.TryGetValue<double>(out var d)
                ? d
                : throw new ModelFormatException($"\"{name}\"[{i}] is not a number");
        }

        return values;
    }

    private static int[] Integers(JsonObject o, string name) =>
        [.. Numbers(o, name).Select(d => d == Math.Floor(d) && Math.Abs(d) < int.MaxValue ? (int)d : throw new ModelFormatException($"\"{name}\" holds {d}, not an integer"))];

    private static string[] Strings(JsonObject o, string name)
    {
        if (o[name] is not JsonArray array)
        {
            throw new ModelFormatException($"\"{name}\" must be an array of names");
        }

        return [.. array.Select((n, i) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new ModelFormatException($"\"{name}\"[{i}] is not text"))];
    }
}
