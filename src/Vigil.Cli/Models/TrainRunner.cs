using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Terminal;
using Vigil.Learning.Data;
using Vigil.Learning.Evaluation;
using Vigil.Learning.Reports;
using Vigil.Learning.Training;
using Vigil.Models;

namespace Vigil.Cli.Models;

/// <summary><c>vigil train --data FILE --model lr|gbt|iforest --out MODEL.json</c>.</summary>
public sealed class TrainRunner(VigilSettings settings, LayeredConfiguration configuration, IAnsiConsole console, bool live)
{
    public async Task<int> RunAsync(CancellationToken stop)
    {
        var model = ModelSettings.Read(configuration);
        var outPath = model.Out ?? throw new UsageException("vigil train needs --out MODEL.json to write the model to");
        if (model.Model is { } kindText && !ModelKinds.TryParse(kindText, out _))
        {
            throw new UsageException($"invalid --model '{kindText}': expected lr, gbt or iforest");
        }

        var clock = Stopwatch.StartNew();
        console.MarkupLine(Markup.Escape($"Vigil train · {model.Training.Kind.Name()} · {settings.Replay.Path}"));
        var data = await ModelData.LoadAsync(settings, configuration, model.Inputs, null, console, live, stop);
        var rows = data.Rows;
        if (model.From is not null || model.To is not null)
        {
            var from = model.From is { } f ? TrainingSet.StartOfDayMs(f) : long.MinValue;
            var to = model.To is { } t ? TrainingSet.StartOfDayMs(t.AddDays(1)) : long.MaxValue;
            rows = rows.Select(rows.RowsBetween(from, to));
            if (rows.Rows == 0)
            {
                throw new UsageException($"no rows between {model.From?.ToString() ?? "the start"} and {model.To?.ToString() ?? "the end"}");
            }
        }

        var trained = await TrainingRun.TrainAsync(model.Training, rows, data.Features, data.Description, console, live, stop);
        var scores = Scores.Of(trained, rows);
        var metrics = ClassificationMetrics.Measure(scores, rows, trained.Threshold);
        trained.Metadata["metrics"] = new JsonObject { ["training"] = EvaluationJson.Metrics(metrics) };
        await File.WriteAllTextAsync(outPath, ModelJson.Serialize(trained), CancellationToken.None);
        var loaded = ModelJson.Deserialize(await File.ReadAllTextAsync(outPath, CancellationToken.None));
        var c = CultureInfo.InvariantCulture;
        console.MarkupLine($"[bold]Vigil train finished[/] after {clock.Elapsed.TotalSeconds.ToString("N1", c)} s");
        Summary.TextRow(console, "model", $"{loaded.Version} ({trained.Kind.Name()}) → {Path.GetFullPath(outPath)}");
        Summary.TextRow(console, "rows", $"{rows.Rows.ToString("N0", c)} ({rows.Frauds.ToString("N0", c)} frauds) from {data.Description}");
        Summary.TextRow(console, "inputs", string.Join(", ", trained.Inputs));
        Summary.TextRow(console, "training", Describe(trained.Metadata["training"]?["result"] as JsonObject));
        var rule = model.Training.Kind switch
        {
            ModelKind.LogisticRegression => model.Training.Logistic.ThresholdRule,
            ModelKind.GradientBoostedTrees => model.Training.Boosting.ThresholdRule,
            _ => null,
        };
        Summary.TextRow(console, "threshold", trained.Threshold.ToString("G4", c) + (rule is null ? string.Empty : $" ({rule.Describe()} on the held-out rows)"));
        Summary.TextRow(console, "on its rows", $"AUC ROC {metrics.AucRoc.ToString("F3", c)} · AP {metrics.AveragePrecision.ToString("F3", c)} · " +
            $"precision {metrics.Precision.ToString("F3", c)} · recall {metrics.Recall.ToString("F3", c)} (training rows flatter a model: use vigil evaluate)");
        return 0;
    }

    /// <summary>What the training reported, for people: <c>{"trees_kept":84}</c> reads "trees kept: 84".</summary>
    internal static string Describe(JsonObject? result)
    {
        if (result is null || result.Count == 0)
        {
            return "nothing reported";
        }

        var c = CultureInfo.InvariantCulture;
        return string.Join(" · ", result.Select(p =>
        {
            var value = p.Value switch
            {
                JsonValue number when number.TryGetValue<double>(out var d) => d == Math.Floor(d) && Math.Abs(d) < 1e15 ? d.ToString("N0", c) : d.ToString("G4", c),
                JsonValue flag when flag.TryGetValue<bool>(out var b) => b ? "yes" : "no",
                JsonValue text when text.TryGetValue<string>(out var t) => t,
                null => "none",
                var other => other.ToJsonString(),
            };
            return $"{p.Key.Replace('_', ' ')}: {value}";
        }));
    }
}
