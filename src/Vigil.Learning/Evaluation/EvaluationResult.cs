using Vigil.Learning.Data;
using Vigil.Learning.Training;
using Vigil.Models;

namespace Vigil.Learning.Evaluation;

/// <summary>How a model did on one split, with its curves for the report and, when the data says, per fraud scenario.</summary>
public sealed record SplitResult(
    EvaluationSplit Split,
    int TrainRows,
    int TrainFrauds,
    int TestRows,
    int TestFrauds,
    ClassificationMetrics Metrics,
    IReadOnlyList<(double X, double Y)> Roc,
    IReadOnlyList<(double X, double Y)> PrecisionRecall,
    string ModelVersion,
    double TrainSeconds,
    IReadOnlyList<ScenarioResult> Scenarios);

/// <summary>An evaluation: every split's result, and the prequential estimate when the protocol has folds.</summary>
public sealed record EvaluationResult(string Model, string Data, string Protocol, IReadOnlyList<SplitResult> Splits)
{
    public const string PrequentialPrefix = "prequential-";

    public IEnumerable<SplitResult> Folds => Splits.Where(s => s.Split.Name.StartsWith(PrequentialPrefix, StringComparison.Ordinal));

    /// <summary>The mean over the prequential folds, or null when there are none.</summary>
    public ClassificationMetrics? Prequential => Folds.Any() ? ClassificationMetrics.Mean([.. Folds.Select(f => f.Metrics)]) : null;

    /// <summary>The mean over the prequential folds per fraud scenario; empty when there are no folds or no scenarios.</summary>
    public IReadOnlyList<ScenarioResult> PrequentialScenarios => ScenarioResult.Mean(Folds.Select(f => f.Scenarios));
}

/// <summary>Runs a protocol: per split, trains (or takes the given model), scores the test rows and measures.</summary>
public static class Evaluator
{
    /// <param name="modelFor">The model for a split's training rows: trained on them, or a fixed model file.</param>
    public static SplitResult Run(TrainingSet data, EvaluationSplit split, Func<TrainingSet, Model> modelFor)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(modelFor);
        var train = data.Select(split.TrainRows);
        var test = data.Select(split.TestRows);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var model = modelFor(train);
        var seconds = clock.Elapsed.TotalSeconds;
        var scores = Scores.Of(model, test);
        var metrics = ClassificationMetrics.Measure(scores, test, model.Threshold);
        return new SplitResult(split, train.Rows, train.Frauds, test.Rows, test.Frauds, metrics,
            RankingMetrics.RocCurve(scores, test.Labels), RankingMetrics.PrecisionRecallCurve(scores, test.Labels), model.Version, seconds,
            ScenarioResult.Measure(scores, test, model.Threshold));
    }
}
