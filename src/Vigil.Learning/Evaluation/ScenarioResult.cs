using Vigil.Learning.Data;

namespace Vigil.Learning.Evaluation;

/// <summary>
/// How one kind of fraud was caught: the AUC ROC of that scenario's frauds against every legitimate row, and the
/// share of them at or above the threshold. It shows which frauds a model ranks well and which it cannot see.
/// </summary>
/// <remarks>
/// Where the data says, compromised terminals' frauds (scenario 2) are also measured apart in the first week of each
/// compromise (<see cref="FirstWeek"/>): before their reports come, features that count reported frauds cannot see them.
/// </remarks>
public sealed record ScenarioResult(int Scenario, int Frauds, double AucRoc, double Recall)
{
    /// <summary>Only the scenario's frauds in the first 7 days of their terminal's compromise.</summary>
    public bool FirstWeek { get; init; }

    /// <summary>How reports name it: <c>2</c>, or <c>2, first week</c>.</summary>
    public string Name => FirstWeek ? $"{Scenario}, first week" : Scenario.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How JSON keys it: <c>2</c>, or <c>2_first_week</c>.</summary>
    public string Key => FirstWeek ? $"{Scenario}_first_week" : Scenario.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One result per scenario among the test frauds, in scenario order; none when the data has no scenarios.</summary>
    public static IReadOnlyList<ScenarioResult> Measure(double[] scores, TrainingSet test, double threshold)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(test);
        if (test.Scenarios is not { } scenarios)
        {
            return [];
        }

        var legitimate = Enumerable.Range(0, test.Rows).Where(i => test.Labels[i] == 0).ToArray();
        var frauds = Enumerable.Range(0, test.Rows).Where(i => test.Labels[i] != 0 && scenarios[i] != 0).ToList();
        var results = frauds.GroupBy(i => (int)scenarios[i]).OrderBy(g => g.Key).Select(g => Of(g.Key, [.. g], legitimate, scores, threshold)).ToList();
        if (test.FirstWeek is { } first && frauds.Where(i => first[i]).ToArray() is { Length: > 0 } early)
        {
            var at = results.FindIndex(r => r.Scenario == scenarios[early[0]]) + 1;
            results.Insert(at, Of(scenarios[early[0]], early, legitimate, scores, threshold) with { FirstWeek = true });
        }

        return results;
    }

    /// <summary>The mean over folds of each scenario's AUC and recall; frauds are summed.</summary>
    public static IReadOnlyList<ScenarioResult> Mean(IEnumerable<IReadOnlyList<ScenarioResult>> folds)
    {
        ArgumentNullException.ThrowIfNull(folds);
        return [.. folds.SelectMany(f => f).GroupBy(r => (r.Scenario, r.FirstWeek)).OrderBy(g => g.Key)
            .Select(g => new ScenarioResult(g.Key.Scenario, g.Sum(r => r.Frauds), g.Average(r => r.AucRoc), g.Average(r => r.Recall)) { FirstWeek = g.Key.FirstWeek })];
    }

    private static ScenarioResult Of(int scenario, int[] frauds, int[] legitimate, double[] scores, double threshold)
    {
        var rows = frauds.Concat(legitimate).ToArray();
        var labels = rows.Select((_, k) => k < frauds.Length ? (byte)1 : (byte)0).ToArray();
        var auc = RankingMetrics.RocAuc([.. rows.Select(i => scores[i])], labels);
        var caught = frauds.Count(i => scores[i] >= threshold);
        return new ScenarioResult(scenario, frauds.Length, auc, (double)caught / frauds.Length);
    }
}
