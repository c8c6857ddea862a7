using Vigil.Learning.Training;
using Vigil.Models;

namespace Vigil.Cli.Configuration;

/// <summary>The settings of vigil train, evaluate and serve (sections <c>Model</c> and <c>Training</c>).</summary>
public sealed record ModelSettings(
    string? Model,
    string? Out,
    IReadOnlyList<string>? Inputs,
    DateOnly? From,
    DateOnly? To,
    string Protocol,
    DateOnly? TrainStart,
    IReadOnlyList<string> Reports,
    TrainingOptions Training)
{
    public static readonly string[] Protocols = ["none", "handbook", "random70"];

    /// <summary>Simulated analysts' card reviews a day during the handbook protocol's delay week (<c>--investigators</c>); 0 for none.</summary>
    public int Investigators { get; init; }

    public static ModelSettings Read(LayeredConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        var model = read.OptionalText("Model:Path");
        var kind = ModelKinds.TryParse(model, out var parsed) ? parsed : ModelKind.GradientBoostedTrees;
        var protocol = read.Text("Evaluation:Protocol", "none").ToLowerInvariant();
        if (!Protocols.Contains(protocol))
        {
            throw new UsageException($"invalid {configuration.Origin("Evaluation:Protocol")} '{protocol}': expected handbook, random70 or none");
        }

        var seed = read.WholeNumber("Training:Seed", 42, 0, int.MaxValue);
        double? threshold = read.OptionalText("Model:Threshold") is null ? null : read.Number("Model:Threshold", 0.5, 0, 1, "a score between 0 and 1");
        var rule = ThresholdRuleOf(read, kind, threshold);
        var classWeight = read.OptionalText("Training:ClassWeight");
        var balanced = string.Equals(classWeight, "balanced", StringComparison.OrdinalIgnoreCase);
        var positiveWeight = classWeight is null || balanced ? 1 : read.Number("Training:ClassWeight", 1, 1e-6, 1e6, "'balanced' or the weight of a fraud row, such as 10");
        var training = new TrainingOptions(kind)
        {
            Logistic = new LogisticRegressionOptions
            {
                C = read.Number("Training:C", 1, 1e-9, 1e12, "a positive number (inverse regularization strength)"),
                Balanced = balanced,
                PositiveWeight = positiveWeight,
                Threshold = threshold,
                ThresholdRule = rule,
            },
            Boosting = new GradientBoostingOptions
            {
                Trees = read.WholeNumber("Training:Trees", 300, 1, 100_000),
                LearningRate = read.Number("Training:LearningRate", 0.05, 1e-6, 1, "a number in (0, 1]"),
                MaxDepth = read.WholeNumber("Training:MaxDepth", 6, 1, 30),
                MaxLeaves = read.WholeNumber("Training:MaxLeaves", 7, 2, 1 << 16),
                MinChildWeight = read.Number("Training:MinChildWeight", 1, 0, 1e9, "a number ≥ 0"),
                L2 = read.Number("Training:L2", 1, 0, 1e9, "a number ≥ 0"),
                RowSample = read.Number("Training:RowSample", 0.8, 1e-3, 1, "a share in (0, 1]"),
                ColumnSample = read.Number("Training:ColumnSample", 0.8, 1e-3, 1, "a share in (0, 1]"),
                ValidationFraction = read.Number("Training:ValidationFraction", 0.15, 0, 0.9, "a share in [0, 0.9]"),
                EarlyStoppingRounds = read.WholeNumber("Training:EarlyStopping", 30, 0, 100_000),
                Refit = read.Flag("Training:Refit", true),
                LinearBase = read.Flag("Training:LinearBase", true),
                PositiveWeight = positiveWeight,
                Seed = seed,
                Threshold = threshold,
                ThresholdRule = rule,
            },
            Isolation = new IsolationForestOptions
            {
                Trees = read.WholeNumber("Training:Trees", 100, 1, 100_000),
                SampleSize = read.WholeNumber("Training:SampleSize", 256, 2, 1 << 24),
                Contamination = read.OptionalText("Training:Contamination") is null ? null
                    : read.Number("Training:Contamination", 0.01, 1e-6, 0.499, "a share in (0, 0.5)"),
                Seed = seed,
            },
        };
        var inputs = read.OptionalText("Model:Inputs")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        DateOnly? Date(string key) => read.OptionalText(key) is null ? null : read.Date(key, default);
        var reports = read.OptionalText("Evaluation:Report")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
        foreach (var report in reports)
        {
            if (!report.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !report.EndsWith(".html", StringComparison.OrdinalIgnoreCase)
                && !report.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"invalid --report '{report}': name a .json, .html or .md file");
            }
        }

        var investigators = read.WholeNumber("Evaluation:Investigators", 0, 0, 1_000_000);
        if (investigators > 0 && (protocol != "handbook" || !ModelKinds.TryParse(model, out _)))
        {
            throw new UsageException("--investigators needs --protocol handbook and a model kind to train (lr, gbt or iforest): the feedback comes from its delay week");
        }

        return new ModelSettings(model, read.OptionalText("Model:Out"), inputs, Date("Training:From"), Date("Training:To"), protocol,
            Date("Evaluation:TrainStart"), reports, training)
        {
            Investigators = investigators,
        };
    }

    /// <summary>The threshold by review capacity (<c>--alerts-per-day</c>) or by cost (<c>--missed-fraud-cost</c> and <c>--review-cost</c>); null for F1.</summary>
    internal static ThresholdRule? ThresholdRuleOf(SettingReader read, ModelKind kind, double? threshold)
    {
        var perDay = read.OptionalText("Training:AlertsPerDay") is null ? (double?)null : read.Number("Training:AlertsPerDay", 1, 0, 1e9, "a number of alerts a day, 0 or more");
        var missed = read.OptionalText("Training:MissedFraudCost") is null ? (double?)null : read.Number("Training:MissedFraudCost", 1, 0, 1e15, "a cost, 0 or more");
        var review = read.OptionalText("Training:ReviewCost") is null ? (double?)null : read.Number("Training:ReviewCost", 1, 0, 1e15, "a cost, 0 or more");
        if (perDay is null && missed is null && review is null)
        {
            return null;
        }

        if ((missed is null) != (review is null))
        {
            throw new UsageException("--missed-fraud-cost and --review-cost go together: the threshold weighs one against the other");
        }

        if (perDay is not null && missed is not null)
        {
            throw new UsageException("choose the threshold by --alerts-per-day or by --missed-fraud-cost and --review-cost, not both");
        }

        if (threshold is not null)
        {
            throw new UsageException("--threshold sets the threshold itself: leave out --alerts-per-day, --missed-fraud-cost and --review-cost");
        }

        if (kind == ModelKind.IsolationForest)
        {
            throw new UsageException("--alerts-per-day and the costs choose the threshold of lr and gbt; an isolation forest flags its --contamination share");
        }

        return perDay is { } alerts ? new ThresholdRule.Capacity(alerts) : new ThresholdRule.Cost(missed!.Value, review!.Value);
    }
}
