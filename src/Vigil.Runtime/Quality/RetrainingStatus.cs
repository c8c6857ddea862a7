using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Runtime.Quality;

/// <summary>What the retraining loop is doing and has done, for the dashboard, the status line and the summary.</summary>
/// <param name="State">One line: "waiting for labels", "training model 3 (45/200 trees)", "model 3 in shadow, judged from 2018-04-20"…</param>
/// <param name="Models">Every model trained in this run, oldest first.</param>
/// <param name="LabelMaturity">The share of the last 14 days' decisions whose label has arrived; null before any decision.</param>
/// <param name="ScoreDrift">Population stability of the deciding model's score over the last 7 days against its scores on the rows it was judged on; null without a model.</param>
/// <param name="FeatureDrift">The inputs whose distribution moved most (population stability, largest first), against the deciding model's training rows.</param>
/// <param name="History">Quality of the pipeline's decisions per day of labels matured, with the model deciding then.</param>
/// <param name="RowsHeld">Decided transactions held for training, labelled or waiting.</param>
/// <param name="RowsDropped">Decided transactions the loop could not keep (it fell behind); detection is not affected.</param>
/// <param name="TradeOff">The deciding model's thresholds against alerts a day, precision and recall, on the rows it was judged on; empty without a model.</param>
public sealed record RetrainingStatus(
    string State,
    IReadOnlyList<ModelRecord> Models,
    double? LabelMaturity,
    double? ScoreDrift,
    IReadOnlyList<InputDrift> FeatureDrift,
    IReadOnlyList<QualityPoint> History,
    long RowsHeld,
    long RowsDropped,
    IReadOnlyList<TradeOffPoint> TradeOff)
{
    /// <summary>How the loop's records are written (models.json, reports, the dashboard): snake_case, states as words, nulls left out.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The model deciding now; null while the rules decide alone.</summary>
    public ModelRecord? Champion => Models.LastOrDefault(m => m.State == ModelState.Champion);

    /// <summary>The model in shadow, waiting for its verdict; null when none is.</summary>
    public ModelRecord? Challenger => Models.LastOrDefault(m => m.State == ModelState.Challenger);
}

public enum ModelState
{
    /// <summary>Trained, scored in shadow, waiting for labels that matured after its training.</summary>
    Challenger,

    /// <summary>Deciding with the rules.</summary>
    Champion,

    /// <summary>Decided once, replaced by a better challenger.</summary>
    Retired,

    /// <summary>Judged no better than the champion; never decided.</summary>
    Rejected,
}

/// <summary>One model the loop trained: when, on what, and how it was judged. Times are event time (Unix milliseconds).</summary>
public sealed record ModelRecord(int Number, string Version, string Kind, long TrainedAtMs, int Rows, int Frauds, long FromMs, long ToMs, double Threshold)
{
    public ModelState State { get; init; } = ModelState.Challenger;

    /// <summary>When it was judged (promoted or rejected).</summary>
    public long? JudgedAtMs { get; init; }

    /// <summary>When a newer model took over from it.</summary>
    public long? RetiredAtMs { get; init; }

    /// <summary>How it compared with the champion of the time on the labels that matured after its training; null before.</summary>
    public Verdict? Verdict { get; init; }

    /// <summary>Where the model file is kept; null when models are not kept on disk.</summary>
    public string? Path { get; init; }
}

/// <summary>A challenger against the champion on the same labelled transactions, each deciding with the rules.</summary>
/// <param name="Champion">The champion's version, or "rules" before the first model.</param>
public sealed record Verdict(string Champion, int Rows, int Frauds, double ChallengerF1, double ChampionF1, double ChallengerPrecision, double ChallengerRecall, double ChampionPrecision, double ChampionRecall, bool Promoted, string Reason);

public sealed record InputDrift(string Input, double Index);

/// <summary>The pipeline's decisions about the transactions whose labels matured on one day of event time.</summary>
public sealed record QualityPoint(long DayMs, string Deciding, int Labelled, int Frauds, double Precision, double Recall);

/// <summary>One point of a threshold's trade-off: with the rules, what a model flags at this threshold, on labelled rows.</summary>
public sealed record TradeOffPoint(double Threshold, double AlertsPerDay, double Precision, double Recall);
