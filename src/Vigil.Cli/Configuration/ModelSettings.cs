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

        return new ModelSettings(model, read.OptionalText("Model:Out"), inputs, Date("Training:From"), Date("Training:To"), protocol,
            Date("Evaluation:TrainStart"), reports, training);
    }
}
