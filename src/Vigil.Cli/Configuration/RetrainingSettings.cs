using Vigil.Learning.Retraining;
using Vigil.Models;
using Vigil.Store;

namespace Vigil.Cli.Configuration;

/// <summary>
/// Whether the demo and replay train their own models when no <c>--model</c> is given (<c>--retrain</c>), how often and
/// on how much (<c>--retrain-every</c>, <c>--training-window</c>), and where the models are kept (<c>--data-dir</c>, and
/// <c>--database</c> for PostgreSQL).
/// </summary>
public sealed record RetrainingSettings(bool Enabled, RetrainingOptions Options, string DataDirectory)
{
    public const string DefaultDataDirectory = "vigil-data";

    /// <summary>A PostgreSQL connection string (<c>--database</c>) for the model registry; null for SQLite in the data folder.</summary>
    public string? Database { get; init; }

    /// <summary>Whether there is a database to read: PostgreSQL is given, or vigil.db exists in the data folder.</summary>
    public bool DatabaseExists => Database is not null || File.Exists(Path.Combine(DataDirectory, VigilDatabase.FileName));

    /// <summary>The SQLite file's full path, for messages.</summary>
    public string DatabaseFile => Path.GetFullPath(Path.Combine(DataDirectory, VigilDatabase.FileName));

    /// <summary>Vigil's database, migrated: SQLite in the data folder, or PostgreSQL; one that cannot be used is one line, exit code 2.</summary>
    public VigilDatabase OpenDatabase()
    {
        try
        {
            return Database is { } connection ? VigilDatabase.OpenPostgres(connection) : VigilDatabase.Open(DataDirectory);
        }
        catch (StoreException e)
        {
            throw new UsageException(Database is null ? $"--data-dir {DataDirectory}: {e.Message}" : $"--database: {e.Message}");
        }
    }

    public static RetrainingSettings Read(LayeredConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        var defaults = new RetrainingOptions();
        var every = read.Duration("Retraining:Every", defaults.Every);
        var window = read.Duration("Retraining:Window", defaults.Window);
        if (every < TimeSpan.FromDays(1))
        {
            throw new UsageException($"invalid {configuration.Origin("Retraining:Every")} '{configuration["Retraining:Every"]}': models are trained at most once a day of event time; expected 1d or more");
        }

        if (window < TimeSpan.FromDays(1))
        {
            throw new UsageException($"invalid {configuration.Origin("Retraining:Window")} '{configuration["Retraining:Window"]}': a model needs at least a day of labelled transactions; expected 1d or more");
        }

        var directory = read.Text("Data:Directory", DefaultDataDirectory);
        if (File.Exists(directory))
        {
            throw new UsageException($"invalid {configuration.Origin("Data:Directory")} '{directory}': it is a file, expected a directory");
        }

        var database = read.OptionalText("Data:Database");
        // The self-trained models' threshold by the review team's capacity or by cost, as vigil train sets a model's.
        var training = ModelSettings.ThresholdRuleOf(read, ModelKind.GradientBoostedTrees, threshold: null) is { } rule
            ? defaults.Training with { Boosting = defaults.Training.Boosting with { ThresholdRule = rule } }
            : defaults.Training;
        return new RetrainingSettings(
            read.Flag("Retraining:Enabled", true), defaults with { Every = every, Window = window, LearnFromVerdicts = read.Flag("Retraining:Verdicts", false), Training = training }, directory)
        {
            Database = database is null || database.Equals("sqlite", StringComparison.OrdinalIgnoreCase) ? null : database,
        };
    }
}
