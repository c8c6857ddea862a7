using System.Text.Encodings.Web;
using System.Text.Json;
using Vigil.Quality;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Quality;

namespace Vigil.Cli.Reports;

/// <summary>The <c>--report FILE</c> of a run: what ran, and its detection quality against ground truth, as JSON.</summary>
public static class QualityReportFile
{
    /// <summary>What ran: named in the report so that a figure can be traced to the run that produced it.</summary>
    public sealed record Run(string Title, string Source, string RulesVersion, string StopReason, ulong? Seed, TimeSpan LabelDelay, PipelineStatus Status);

    public static void Write(string path, Run run, QualitySnapshot quality)
    {
        ArgumentNullException.ThrowIfNull(run);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        using var file = File.Create(path);
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("run", run.Title);
        json.WriteString("source", run.Source);
        json.WriteString("rules", run.RulesVersion);
        json.WriteString("stopped", run.StopReason);
        if (run.Seed is { } seed)
        {
            json.WriteNumber("seed", seed);
        }

        json.WriteNumber("label_delay_seconds", run.LabelDelay.TotalSeconds);
        json.WriteNumber("elapsed_seconds", Math.Round(run.Status.Elapsed.TotalSeconds, 3));
        json.WriteNumber("transactions", run.Status.Produced);
        json.WriteNumber("dead_letters", run.Status.DeadLetters);
        QualityJson.Write(json, quality);
        if (run.Status.Retraining is { } retraining)
        {
            json.WritePropertyName("retraining");
            JsonSerializer.Serialize(json, new
            {
                deciding_at_the_end = retraining.Champion?.Version,
                label_maturity = retraining.LabelMaturity,
                score_drift = retraining.ScoreDrift,
                feature_drift = retraining.FeatureDrift,
                models = retraining.Models,
                history = retraining.History,
                trade_off = retraining.TradeOff,
            }, RetrainingStatus.Json);
        }

        json.WriteEndObject();
    }
}
