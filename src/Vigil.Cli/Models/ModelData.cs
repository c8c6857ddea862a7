using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Sources;
using Vigil.Cli.Terminal;
using Vigil.Features;
using Vigil.Learning.Data;
using Vigil.Simulation.Datasets;
using Vigil.Simulation.Datasets.Replay;

namespace Vigil.Cli.Models;

/// <summary>A dataset read for training or evaluation: its rows as model inputs, and the features they came from.</summary>
public sealed record ModelData(TrainingSet Rows, FeatureSet Features, string Description)
{
    /// <summary>
    /// Reads <c>--data</c> with a progress bar, computing features with the pipeline's engine. A file without customers
    /// (ULB) gets no features unless a set is asked for; <paramref name="inputs"/> (a model's) override the default inputs.
    /// </summary>
    public static async Task<ModelData> LoadAsync(
        VigilSettings settings, LayeredConfiguration configuration, IReadOnlyList<string>? inputs, FeatureSet? features, IAnsiConsole console, bool live, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        if (new SettingReader(configuration).OptionalText("Training:Label") is { } label)
        {
            settings = settings with
            {
                Replay = settings.Replay with
                {
                    Columns = new Dictionary<string, string>(settings.Replay.Columns) { [ColumnMapping.Fraud] = label },
                },
            };
        }

        using var source = RunSource.OpenDataset(settings, "this command needs --data FILE to read (see --help)");
        if (!source.HasEventTime)
        {
            throw new UsageException($"features and splits are in event time, and no column of {Path.GetFileName(source.Path)} is mapped to timestamp: map one with --columns timestamp=COLUMN");
        }

        var set = features ?? DatasetFeatures(settings, configuration, source);
        var reader = new TrainingSetReader(source, set, settings.LabelDelay);
        var chosen = inputs ?? reader.DefaultInputs();
        List<string> unknown;
        try
        {
            unknown = [.. new Vigil.Models.ModelInputs(chosen, set).SimpleNames
                .Where(i => set.IndexOf(i) < 0 && i != Vigil.Models.ModelInputs.Amount && !source.Header.Contains(i))];
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"invalid --inputs: {e.Message}");
        }

        if (unknown.Count > 0)
        {
            throw new UsageException($"unknown input {string.Join(", ", unknown)}: not a feature of the {set.Name} set, amount, or a column of {Path.GetFileName(source.Path)}");
        }

        var reading = Task.Run(() => reader.Read(chosen, stop), CancellationToken.None);
        await ProgressDisplay.ShowAsync(console, live, reading, () => source.Rows == 0 ? 1 : (double)reader.Rows / source.Rows,
            () => string.Create(CultureInfo.InvariantCulture, $"{reader.Rows:N0} rows read, features computed"));
        TrainingSet rows;
        try
        {
            rows = await reading;
        }
        catch (DatasetException e)
        {
            throw new UsageException(e.Message);
        }

        var description = $"{Path.GetFileName(source.Path)} ({rows.Rows:N0} rows, {rows.Frauds:N0} frauds), features: {set.Name}";
        return new ModelData(rows, set, description);
    }

    /// <summary>The features computed over a dataset file: the configured set, or none for a file without customers (ULB) unless a set is asked for.</summary>
    public static FeatureSet DatasetFeatures(VigilSettings settings, LayeredConfiguration configuration, ReplaySource source)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(source);
        return configuration["Features:Set"] is null && configuration["Features:Definitions"] is null
            && source.Mapping[ColumnMapping.CustomerId] is null ? FeatureSet.None : settings.Features.Set;
    }
}
