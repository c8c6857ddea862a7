using System.Globalization;
using Spectre.Console;
using Vigil.Learning.Retraining;
using Vigil.Runtime.Quality;

namespace Vigil.Cli.Terminal;

/// <summary>The end-of-run lines about the models the pipeline trained: one per model, with its verdict.</summary>
public static class RetrainingSummary
{
    public static void Print(IAnsiConsole console, RetrainingStatus status, TimeSpan waited, IModelRegistry? registry)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(status);
        var c = CultureInfo.InvariantCulture;
        var models = status.Models;
        var promoted = models.Count(m => m.State is ModelState.Champion or ModelState.Retired);
        Summary.TextRow(console, "retraining", models.Count == 0
            ? $"no model trained: {status.State}"
            : string.Create(c, $"{models.Count} trained · {promoted} promoted · deciding at the end: {status.Champion?.Version ?? "the rules alone"} · the source waited {waited.TotalSeconds:N1} s for training"));
        foreach (var model in models)
        {
            var verdict = model.Verdict is { } v ? $"{(v.Promoted ? "promoted" : "not promoted")} {Day(model.JudgedAtMs)}: {v.Reason} ({v.Frauds:N0} frauds in {v.Rows:N0} matured)"
                : "in shadow, not judged yet";
            Summary.TextRow(console, string.Empty, string.Create(c,
                $"{model.Version} · trained {Day(model.TrainedAtMs)} on {model.Rows:N0} ({model.Frauds:N0} frauds) · threshold {model.Threshold:G3} · {verdict}"));
        }

        var drift = status.ScoreDrift is { } score
            ? string.Create(c, $"score PSI {score:F3}") + string.Concat(status.FeatureDrift.Select(d => string.Create(c, $" · {d.Input} {d.Index:F3}")))
            : "no model decides";
        Summary.TextRow(console, "drift", drift + (status.LabelMaturity is { } maturity ? $" · labels arrived for {StatusView.Percent(maturity)} of the last 14 days' decisions" : string.Empty));
        if (registry is not null && models.Count > 0)
        {
            Summary.TextRow(console, "models kept", registry.Location);
        }

        if (status.RowsDropped > 0)
        {
            Summary.TextRow(console, "not learned", string.Create(c, $"{status.RowsDropped:N0} decisions the loop fell behind on (not in training data; detection unaffected)"));
        }
    }

    private static string Day(long? ms) => ms is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "–";
}
