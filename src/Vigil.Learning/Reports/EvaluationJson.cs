using System.Text.Json.Nodes;
using Vigil.Learning.Evaluation;

namespace Vigil.Learning.Reports;

/// <summary>The machine-readable form of an evaluation: keys auc_roc, average_precision, card_precision_at_100 per split.</summary>
public static class EvaluationJson
{
    public static JsonObject Metrics(ClassificationMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return new JsonObject
        {
            ["auc_roc"] = Number(metrics.AucRoc),
            ["average_precision"] = Number(metrics.AveragePrecision),
            ["card_precision_at_100"] = Number(metrics.CardPrecisionAt100),
            ["threshold"] = Number(metrics.Threshold),
            ["precision"] = Number(metrics.Precision),
            ["recall"] = Number(metrics.Recall),
            ["f1"] = Number(metrics.F1),
            ["accuracy"] = Number(metrics.Accuracy),
            ["confusion_matrix"] = new JsonObject
            {
                ["true_positives"] = metrics.TruePositives,
                ["false_positives"] = metrics.FalsePositives,
                ["true_negatives"] = metrics.TrueNegatives,
                ["false_negatives"] = metrics.FalseNegatives,
            },
            ["card_precision_at_100_per_day"] = new JsonArray([.. metrics.CardPrecisionPerDay.Select(d => (JsonNode?)Number(d))]),
        };
    }

    public static JsonObject Result(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var splits = new JsonObject();
        foreach (var split in result.Splits)
        {
            var entry = Metrics(split.Metrics);
            entry["description"] = split.Split.Description;
            entry["train_rows"] = split.TrainRows;
            entry["train_frauds"] = split.TrainFrauds;
            entry["test_rows"] = split.TestRows;
            entry["test_frauds"] = split.TestFrauds;
            entry["model_version"] = split.ModelVersion;
            entry["train_seconds"] = Math.Round(split.TrainSeconds, 3);
            AddScenarios(entry, split.Scenarios);
            splits[split.Split.Name] = entry;
        }

        var root = new JsonObject
        {
            ["model"] = result.Model,
            ["data"] = result.Data,
            ["protocol"] = result.Protocol,
            ["splits"] = splits,
        };
        if (result.Prequential is { } prequential)
        {
            var mean = Metrics(prequential);
            AddScenarios(mean, result.PrequentialScenarios);
            root["prequential"] = mean;
        }

        return root;
    }

    /// <summary>Per fraud scenario, keyed by its number (<c>2_first_week</c> for scenario 2 in the first week of a compromise): frauds, auc_roc (against every legitimate row) and recall.</summary>
    private static void AddScenarios(JsonObject entry, IReadOnlyList<ScenarioResult> scenarios)
    {
        if (scenarios.Count == 0)
        {
            return;
        }

        var byScenario = new JsonObject();
        foreach (var s in scenarios)
        {
            byScenario[s.Key] = new JsonObject
            {
                ["frauds"] = s.Frauds,
                ["auc_roc"] = Number(s.AucRoc),
                ["recall"] = Number(s.Recall),
            };
        }

        entry["scenarios"] = byScenario;
    }

    /// <summary>JSON has no NaN: an undefined measure (no fraud in the split) is null.</summary>
    private static JsonValue? Number(double value) => double.IsFinite(value) ? JsonValue.Create(Math.Round(value, 6)) : null;
}
