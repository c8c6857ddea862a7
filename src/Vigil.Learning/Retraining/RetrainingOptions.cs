using Vigil.Learning.Training;
using Vigil.Models;

namespace Vigil.Learning.Retraining;

/// <summary>How the pipeline trains its own models: when, on what, and when a new one takes over. Times are event time.</summary>
public sealed record RetrainingOptions
{
    /// <summary>A new challenger is trained this long after the previous one (once that one has been judged).</summary>
    public TimeSpan Every { get; init; } = TimeSpan.FromDays(7);

    /// <summary>A model learns from the labelled transactions of this span, ending at the newest labelled one.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromDays(14);

    /// <summary>The first model waits until the labelled transactions span this long…</summary>
    public TimeSpan FirstAfter { get; init; } = TimeSpan.FromDays(2);

    /// <summary>…and hold at least this many frauds; so does every later training window.</summary>
    public int MinFrauds { get; init; } = 50;

    /// <summary>A challenger is judged on the labels that mature during this span after its training.</summary>
    public TimeSpan Evaluation { get; init; } = TimeSpan.FromDays(3);

    /// <summary>The least frauds among those labels for a verdict; with fewer the challenger waits (up to <see cref="Every"/>, then it is not promoted).</summary>
    public int MinEvaluationFrauds { get; init; } = 30;

    /// <summary>A challenger is promoted when its F1 beats the champion's (the rules' alone, before the first model) by at least this much.</summary>
    public double Margin { get; init; } = 0.01;

    /// <summary>
    /// Whether a model also learns from analysts' verdicts on the days whose reports have not come, where those days look
    /// like its training window: they join the rows it is fitted on, not those it is tuned on, and it is judged only on
    /// what is decided after its training (docs/RETRAINING.md).
    /// </summary>
    public bool LearnFromVerdicts { get; init; }

    /// <summary>Decided transactions kept, labelled or waiting for their label; about (inputs × 4 + 48) bytes each.</summary>
    public int MaxRows { get; init; } = 300_000;

    /// <summary>
    /// The most cores a training uses. Where detection runs beside it (a paced source), one fewer than the machine's
    /// leaves detection a core; where the source waits for it (<c>--rate max</c>), all of them.
    /// </summary>
    public int TrainingThreads { get; init; } = Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>The algorithm and its settings: gradient-boosted trees, a little faster than <c>vigil train</c>'s defaults.</summary>
    public TrainingOptions Training { get; init; } = new(ModelKind.GradientBoostedTrees)
    {
        Boosting = new GradientBoostingOptions { Trees = 200, LearningRate = 0.1, EarlyStoppingRounds = 20 },
    };
}
