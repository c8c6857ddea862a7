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
        }

        var result = new EvaluationResult(file is null ? $"{modelArgument} trained on each split" : $"{file.Version} ({Path.GetFileName(modelArgument)})",
            data.Description, protocol, results);
        Print(result, clock.Elapsed);
        foreach (var report in options.Reports)
        {
            await WriteReportAsync(report, result);
            Summary.TextRow(console, "report", Path.GetFullPath(report));
        }

        return 0;
    }

    private void Print(EvaluationResult result, TimeSpan elapsed)
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

        console.MarkupLine($"[bold]Vigil evaluate finished[/] after {elapsed.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture)} s");
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
