using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Sources;
using Vigil.Cli.Terminal;
using Vigil.Features;
using Vigil.Simulation.Datasets;
using Vigil.Simulation.Datasets.Replay;

namespace Vigil.Cli.Services;

/// <summary><c>vigil features --data IN --out OUT</c>: a dataset's rows with the feature set's columns added.</summary>
public sealed class FeaturesRunner(VigilSettings settings, IAnsiConsole console, bool live)
{
    public async Task<int> RunAsync(CancellationToken stop)
    {
        var outPath = settings.Features.Out ?? throw new UsageException("vigil features needs --out FILE to write to (see 'vigil features --help')");
        if (Directory.Exists(outPath))
        {
            throw new UsageException($"invalid --out '{outPath}': it is a directory, expected a file such as features.csv");
        }

        using var source = RunSource.OpenDataset(settings, "vigil features needs --data FILE to read (see 'vigil features --help')");
        if (Path.GetFullPath(outPath) == Path.GetFullPath(source.Path))
        {
            throw new UsageException($"invalid --out '{outPath}': it is the file being read");
        }

        if (!source.HasEventTime)
        {
            throw new UsageException($"features are computed in event time, and no column of {Path.GetFileName(source.Path)} is mapped to timestamp: map one with --columns timestamp=COLUMN");
        }

        var set = settings.Features.Set;
        var dataset = new FeatureDataset(source, set, settings.LabelDelay);
        console.MarkupLine(Markup.Escape(
            $"Vigil features · {set.Name} ({set.Count} features) · {Path.GetFileName(source.Path)} ({source.Rows:N0} rows) → {Path.GetFullPath(outPath)}"));
        if (set.ReadsLabels && !source.HasLabels)
        {
            console.MarkupLine("[yellow]The file has no labels: every risk feature will read 0.[/]");
        }

        var clock = Stopwatch.StartNew();
        Stream output;
        try
        {
            output = DatasetFile.Create(outPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"invalid --out '{outPath}': {e.Message}");
        }

        await using (output)
        {
            var writing = Task.Run(() => dataset.WriteTo(output, stop), CancellationToken.None);
            await ProgressDisplay.ShowAsync(
                console,
                live,
                writing,
                () => source.Rows == 0 ? 1 : (double)(dataset.Rows + dataset.Skipped) / source.Rows,
                () => string.Create(CultureInfo.InvariantCulture, $"{dataset.Rows:N0} rows with features"));
            try
            {
                await writing;
            }
            catch (DatasetException e)
            {
                throw new UsageException(e.Message);
            }
        }

        var c = CultureInfo.InvariantCulture;
        var engine = dataset.Engine;
        var stopped = stop.IsCancellationRequested ? " (stopped by signal; the file holds the rows before)" : string.Empty;
        console.MarkupLine($"[bold]Vigil features finished[/] after {clock.Elapsed.TotalSeconds.ToString("N1", c)} s{Markup.Escape(stopped)}");
        Summary.TextRow(console, "rows", $"{dataset.Rows.ToString("N0", c)} ({(dataset.Rows / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)).ToString("N0", c)} per second)");
        Summary.TextRow(console, "features", string.Join(", ", set.Definitions.Select(d => d.Name)));
        Summary.TextRow(console, "state", $"{engine.Entities.ToString("N0", c)} entities · {(engine.StateBytes() / 1e6).ToString("N1", c)} MB · {engine.Evicted.ToString("N0", c)} evicted when idle or over --max-entities · {engine.Truncated.ToString("N0", c)} transactions cut from histories over --max-events-per-entity");
        if (set.ReadsLabels)
        {
            Summary.TextRow(console, "labels", $"{engine.LabelsApplied.ToString("N0", c)} frauds known {FeatureDefinition.Format(settings.LabelDelay)} after their transaction");
        }

        if (dataset.Skipped > 0)
        {
            Summary.TextRow(console, "left out", $"{dataset.Skipped.ToString("N0", c)} rows that are not transactions");
            foreach (var line in source.InvalidLines)
            {
                Summary.TextRow(console, string.Empty, line);
            }
        }

        Summary.TextRow(console, "file", $"{Path.GetFullPath(outPath)} ({(new FileInfo(outPath).Length / 1e6).ToString("N1", c)} MB)");
        return 0;
    }
}
