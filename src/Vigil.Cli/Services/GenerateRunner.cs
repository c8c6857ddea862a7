using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Sources;
using Vigil.Cli.Terminal;
using Vigil.Simulation;
using Vigil.Simulation.Datasets;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;

namespace Vigil.Cli.Services;

/// <summary><c>vigil generate --out</c>: simulated transactions with their ground truth into a dataset file.</summary>
public sealed class GenerateRunner(VigilSettings settings, IAnsiConsole console, bool live)
{
    /// <summary>Writes the simulation, day by day, to a CSV file with its ground truth; Ctrl+C stops after the day being written.</summary>
    public async Task<int> WriteFileAsync(string path, CancellationToken stop)
    {
        if (settings.Generator.Profile != GeneratorProfile.Simulator)
        {
            throw new UsageException("--out writes a dataset with ground truth, which only the simulator profile has (the seed profile goes to Kafka)");
        }

        if (settings.Simulator.Days is null && settings.Generator.Count is null)
        {
            throw new UsageException("--days none never ends: give a number of days or --count to write a file");
        }

        if (Directory.Exists(path))
        {
            throw new UsageException($"invalid --out '{path}': it is a directory, expected a file such as transactions.csv");
        }

        var simulator = RunSource.Simulator(settings);
        var seed = settings.Simulator.Seed;
        var limit = settings.Generator.Count ?? long.MaxValue;
        var days = settings.Simulator.Days;
        console.MarkupLine(
            $"[bold]Vigil generate[/] · {Markup.Escape(new SimulatorSource(simulator).Description)} · seed {seed} → {Markup.Escape(Path.GetFullPath(path))} ({settings.Dataset.Format.ToString().ToLowerInvariant()} columns)");
        var clock = Stopwatch.StartNew();
        var byScenario = new long[4];
        SimulatedDatasetWriter writer;
        try
        {
            writer = new SimulatedDatasetWriter(DatasetFile.Create(path), settings.Dataset.Format);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"invalid --out '{path}': {e.Message}");
        }

        using (writer)
        {
            var writing = Task.Run(() =>
            {
                while (!simulator.IsFinished && writer.Rows < limit && !stop.IsCancellationRequested)
                {
                    var day = simulator.NextDay().Span;
                    day = day[..(int)Math.Min(day.Length, limit - writer.Rows)];
                    writer.Write(day, simulator.StartUnixMilliseconds);
                    foreach (ref readonly var t in day)
                    {
                        byScenario[(int)t.Scenario]++;
                    }
                }
            }, CancellationToken.None);
            await ProgressDisplay.ShowAsync(
                console,
                live,
                writing,
                () => days is { } d ? (double)simulator.Day / d : (double)writer.Rows / limit,
                () => string.Create(CultureInfo.InvariantCulture, $"day {simulator.Day:N0} · {writer.Rows:N0} transactions written"));
            await writing;
        }

        var frauds = byScenario[1] + byScenario[2] + byScenario[3];
        var c = CultureInfo.InvariantCulture;
        var stopped = stop.IsCancellationRequested ? " (stopped by signal; the file holds every day begun)" : string.Empty;
        console.MarkupLine($"[bold]Vigil generate finished[/] after {clock.Elapsed.TotalSeconds.ToString("N1", c)} s{Markup.Escape(stopped)}");
        Row("transactions", $"{writer.Rows.ToString("N0", c)} over {simulator.Day.ToString("N0", c)} days ({(writer.Rows / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)).ToString("N0", c)} per second)");
        Row("fraud", $"{frauds.ToString("N0", c)} ({StatusView.Percent(writer.Rows == 0 ? double.NaN : (double)frauds / writer.Rows)}) · by scenario " +
                     $"1: {byScenario[1].ToString("N0", c)} · 2: {byScenario[2].ToString("N0", c)} · 3: {byScenario[3].ToString("N0", c)}");
        Row("file", $"{Path.GetFullPath(path)} ({(writer.Bytes / 1e6).ToString("N1", c)} MB of CSV)");
        Row("seed", $"{seed} (run again with --seed {seed} for the same transactions)");
        return 0;
    }

    private void Row(string label, string text) => Summary.TextRow(console, label, text);
}
