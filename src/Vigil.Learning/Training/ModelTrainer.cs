using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Vigil.Features;
using Vigil.Learning.Data;
using Vigil.Models;

namespace Vigil.Learning.Training;

/// <summary>What to train: the algorithm and its settings.</summary>
public sealed record TrainingOptions(ModelKind Kind)
{
    public LogisticRegressionOptions Logistic { get; init; } = new();

    public GradientBoostingOptions Boosting { get; init; } = new();

    public IsolationForestOptions Isolation { get; init; } = new();

    /// <summary>The settings of the chosen algorithm, as a model file records them.</summary>
    public object Parameters => Kind switch
    {
        ModelKind.LogisticRegression => Logistic,
        ModelKind.GradientBoostedTrees => Boosting,
        _ => Isolation,
    };
}

/// <summary>Trains any kind of model and records in it how it was trained: parameters, data, time.</summary>
public static class ModelTrainer
{
    public static Model Train(
        TrainingOptions options, TrainingSet data, FeatureSet features, string dataDescription,
        IProgress<TrainingProgress>? progress = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(features);
        var clock = Stopwatch.StartNew();
        var details = new JsonObject();
        Model model;
        switch (options.Kind)
        {
            case ModelKind.LogisticRegression:
                var lr = new LogisticRegressionTrainer(options.Logistic);
                model = lr.Train(data, progress);
                details["iterations"] = lr.Iterations;
                details["converged"] = lr.Converged;
                break;
            case ModelKind.GradientBoostedTrees:
                var gbt = new GradientBoostingTrainer(options.Boosting);
                model = gbt.Train(data, progress, stop);
                details["trees_kept"] = gbt.TreesKept;
                break;
            default:
                model = new IsolationForestTrainer(options.Isolation).Train(data, progress);
                break;
        }

        // Every feature an input reads, the parts of ratios included, so that a pipeline computes them all.
        var read = new ModelInputs(data.Inputs, features).SimpleNames;
        model.Features = new FeatureSet(features.Name, [.. features.Definitions.Where(d => read.Contains(d.Name))]);
        model.Metadata = new JsonObject
        {
            ["training"] = new JsonObject
            {
                ["data"] = dataDescription,
                ["rows"] = data.Rows,
                ["frauds"] = data.Frauds,
                ["from"] = Time(data.TimesMs.Min()),
                ["to"] = Time(data.TimesMs.Max()),
                ["parameters"] = System.Text.Json.JsonSerializer.SerializeToNode(options.Parameters, options.Parameters.GetType(), ParameterJson.Options),
                ["result"] = details,
                ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
                ["vigil"] = typeof(ModelTrainer).Assembly.GetName().Version?.ToString(3),
            },
        };
        return model;
    }

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
