using System.Text.Json;
using Vigil.Quality;

namespace Vigil.Runtime.Quality;

/// <summary>Writes detection quality as JSON, the same fields for the dashboard, the API and the report file.</summary>
/// <remarks>Undefined ratios (nothing flagged yet, no fraud labelled yet) are written as null.</remarks>
public static class QualityJson
{
    public static void Write(Utf8JsonWriter json, QualitySnapshot quality)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(quality);
        var m = quality.Matrix;
        json.WriteNumber("decided", quality.Decided);
        json.WriteNumber("flagged", quality.Flagged);
        Ratio(json, "alert_rate", quality.AlertRate);
        json.WriteNumber("labelled", quality.Labelled);
        Ratio(json, "precision", m.Precision);
        Ratio(json, "recall", m.Recall);
        Ratio(json, "f1", m.F1);
        Ratio(json, "false_positive_rate", m.FalsePositiveRate);
        json.WriteStartObject("confusion_matrix");
        json.WriteNumber("true_positives", m.TruePositives);
        json.WriteNumber("false_positives", m.FalsePositives);
        json.WriteNumber("true_negatives", m.TrueNegatives);
        json.WriteNumber("false_negatives", m.FalseNegatives);
        json.WriteEndObject();
        json.WriteStartObject("fraud_amount");
        json.WriteNumber("caught", Math.Round(quality.FraudAmountCaught, 2));
        json.WriteNumber("missed", Math.Round(quality.FraudAmountMissed, 2));
        json.WriteEndObject();
        json.WriteNumber("genuine_amount_flagged", Math.Round(quality.GenuineAmountFlagged, 2));
        json.WriteStartArray("scenarios");
        foreach (var scenario in quality.Scenarios)
        {
            json.WriteStartObject();
            json.WriteNumber("scenario", scenario.Scenario);
            json.WriteNumber("frauds", scenario.Frauds);
            json.WriteNumber("caught", scenario.Caught);
            Ratio(json, "recall", scenario.Recall);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("awaiting_label", quality.AwaitingLabel);
        json.WriteNumber("awaiting_decision", quality.AwaitingDecision);
        json.WriteNumber("expired_decisions", quality.ExpiredDecisions);
        json.WriteNumber("expired_labels", quality.ExpiredLabels);
        json.WriteNumber("duplicates", quality.Duplicates);
        json.WriteNumber("invalid_labels", quality.InvalidLabels);
        json.WriteNumber("decisions_without_id", quality.DecisionsWithoutId);
    }

    private static void Ratio(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsNaN(value))
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteNumber(name, Math.Round(value, 6));
        }
    }
}
