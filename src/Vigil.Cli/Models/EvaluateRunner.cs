using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Terminal;
using Vigil.Learning.Evaluation;
using Vigil.Learning.Reports;
using Vigil.Models;

namespace Vigil.Cli.Models;

/// <summary><c>vigil evaluate --data FILE --model MODEL.json|lr|gbt|iforest [--protocol handbook|random70]</c>.</summary>
public sealed class EvaluateRunner(VigilSettings settings, LayeredConfiguration configuration, IAnsiConsole console, bool live)
{
    public async Task<int> RunAsync(CancellationToken stop)
    {
        var options = ModelSettings.Read(configuration);
        var modelArgument = options.Model ?? throw new UsageException("vigil evaluate needs --model MODEL.json, or --model lr|gbt|iforest with --protocol");
        Model? file = null;
        if (!ModelKinds.TryParse(modelArgument, out _))
        {
            file = ModelFileLoader.Load(modelArgument, OnnxOptions.Read(configuration));
        }
        else if (options.Protocol == "none")
        {
            throw new UsageException($"--model {modelArgument} trains a model per split: give --protocol handbook or random70, or a model file to score with");
        }

        var clock = Stopwatch.StartNew();
        var protocol = options.Protocol;
        console.MarkupLine(Markup.Escape($"Vigil evaluate · {(file is null ? modelArgument : file.Version)} · protocol {protocol} · {settings.Replay.Path}"));
        var data = await ModelData.LoadAsync(settings, configuration, file?.Inputs ?? options.Inputs, file?.Features is { IsEmpty: false } f ? f : null,
            console, live, stop);
        IReadOnlyList<EvaluationSplit> splits;
        try
        {
            splits = protocol switch
            {
                "handbook" => EvaluationProtocols.Handbook(data.Rows, options.TrainStart),
                "random70" => [EvaluationProtocols.Random70(data.Rows, options.Training.Boosting.Seed)],
                _ => [new EvaluationSplit("all", "every row of the file", [], [.. Enumerable.Range(0, data.Rows.Rows)])],
            };
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        var results = new List<SplitResult>();
        var withFeedback = new List<SplitResult>();
        var feedbackRows = 0;
        var feedbackFrauds = 0;
        foreach (var split in splits)
        {
            stop.ThrowIfCancellationRequested();
            console.MarkupLine(Markup.Escape($"  {split.Name}: {split.Description}"));
            Model trained = file!;
            if (file is null)
            {
                var train = data.Rows.Select(split.TrainRows);
                trained = await TrainingRun.TrainAsync(options.Training, train, data.Features, data.Description, console, live, stop);
            }

            results.Add(Evaluator.Run(data.Rows, split, _ => trained));
            if (options.Investigators > 0)
            {
                // The same split, its training rows joined by what the analysts learned during the delay week.
                var feedback = Investigators.Feedback(data.Rows, split, trained, options.Investigators);
                feedbackRows += feedback.Length;
                feedbackFrauds += feedback.Count(r => data.Rows.Labels[r] != 0);
                var informed = data.Rows.Select([.. split.TrainRows, .. feedback]);
                var retrained = await TrainingRun.TrainAsync(options.Training, informed, data.Features, data.Description, console, live, stop);
                withFeedback.Add(Evaluator.Run(data.Rows, split with { TrainRows = [.. split.TrainRows, .. feedback] }, _ => retrained));
            }
        }

        var name = file is null ? $"{modelArgument} trained on each split" : $"{file.Version} ({Path.GetFileName(modelArgument)})";
        var result = new EvaluationResult(name, data.Description, protocol, results);
        if (options.Investigators > 0)
        {
            console.MarkupLine(Markup.Escape($"delayed labels only ({Investigators.DelayDays} days of the delay unknown):"));
            Print(result, null);
            result = new EvaluationResult($"{name}, with {options.Investigators} cards a day investigated during the delay", data.Description, protocol, withFeedback);
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"with {options.Investigators} investigated cards a day: {feedbackRows:N0} rows of the delay weeks ({feedbackFrauds:N0} frauds) known at once, over {splits.Count} splits:")));
        }

        Print(result, clock.Elapsed);
        if (options.Investigators > 0 && results.Count == withFeedback.Count)
        {
            Summary.TextRow(console, "feedback", Compare(new EvaluationResult(name, data.Description, protocol, results), result));
        }
        foreach (var report in options.Reports)
        {
            await WriteReportAsync(report, result);
            Summary.TextRow(console, "report", Path.GetFullPath(report));
        }

        return 0;
    }

    /// <summary>The prequential means (else the single split) without and with the investigators' feedback, side by side.</summary>
    private static string Compare(EvaluationResult before, EvaluationResult after)
    {
        var (a, b) = (before.Prequential ?? before.Splits[0].Metrics, after.Prequential ?? after.Splits[0].Metrics);
        var c = CultureInfo.InvariantCulture;
        return string.Create(c, $"{(before.Prequential is null ? "single split" : "prequential mean")}: AUC ROC {a.AucRoc:F3} → {b.AucRoc:F3} · AP {a.AveragePrecision:F3} → {b.AveragePrecision:F3} · CP@100 {a.CardPrecisionAt100:F3} → {b.CardPrecisionAt100:F3} · recall {a.Recall:F3} → {b.Recall:F3}");
    }

    /// <param name="elapsed">The run's time, for the "finished" line of its last table; null for a table before it.</param>
    private void Print(EvaluationResult result, TimeSpan? elapsed)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in EvaluationReport.Headers)
        {
            table.AddColumn(new TableColumn(Markup.Escape(header)).RightAligned());
        }

        foreach (var row in EvaluationReport.Rows(result))
        {
            table.AddRow([.. row.Select(Markup.Escape)]);
        }

        if (elapsed is { } time)
        {
            console.MarkupLine($"[bold]Vigil evaluate finished[/] after {time.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture)} s");
        }

        console.Write(table);
        if (EvaluationReport.ScenarioHeaders(result) is { Count: > 0 } scenarioHeaders)
        {
            var scenarios = new Table().Border(TableBorder.Simple).Title("by fraud scenario");
            foreach (var header in scenarioHeaders)
            {
                scenarios.AddColumn(new TableColumn(Markup.Escape(header)).RightAligned());
            }

            foreach (var row in EvaluationReport.ScenarioRows(result))
            {
                scenarios.AddRow([.. row.Select(Markup.Escape)]);
            }

            console.Write(scenarios);
            console.MarkupLine(Markup.Escape(EvaluationReport.ScenarioNote));
        }
        if (result.Splits.Count == 1)
        {
            var m = result.Splits[0].Metrics;
            Summary.TextRow(console, "confusion", $"{m.TruePositives:N0} frauds caught, {m.FalseNegatives:N0} missed, {m.FalsePositives:N0} false alarms, {m.TrueNegatives:N0} passed");
        }
    }

    private static async Task WriteReportAsync(string path, EvaluationResult result)
    {
        try
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                await File.WriteAllTextAsync(path, EvaluationJson.Result(result).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
            }
            else if (path.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
            {
                await File.WriteAllTextAsync(path, EvaluationReport.Html(result));
            }
            else
            {
                var stem = Path.ChangeExtension(path, null);
                var roc = stem + "-roc.svg";
                var pr = stem + "-pr.svg";
                await File.WriteAllTextAsync(roc, EvaluationReport.RocSvg(result));
                await File.WriteAllTextAsync(pr, EvaluationReport.PrecisionRecallSvg(result));
                await File.WriteAllTextAsync(path, EvaluationReport.Markdown(result, Path.GetFileName(roc), Path.GetFileName(pr)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"invalid --report '{path}': {e.Message}");
        }
    }
}
