using Vigil.Learning.Data;

namespace Vigil.Learning.Evaluation;

/// <summary>
/// How one kind of fraud was caught: the AUC ROC of that scenario's frauds against every legitimate row, and the
/// share of them at or above the threshold. It shows which frauds a model ranks well and which it cannot see.
/// </summary>
public sealed record ScenarioResult(int Scenario, int Frauds, double AucRoc, double Recall)
{
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
        return [.. Enumerable.Range(0, test.Rows)
            .Where(i => test.Labels[i] != 0 && scenarios[i] != 0)
            .GroupBy(i => (int)scenarios[i])
            .OrderBy(g => g.Key)
            .Select(g => Of(g.Key, [.. g], legitimate, scores, threshold))];
    }

    /// <summary>The mean over folds of each scenario's AUC and recall; frauds are summed.</summary>
    public static IReadOnlyList<ScenarioResult> Mean(IEnumerable<IReadOnlyList<ScenarioResult>> folds)
    {
        ArgumentNullException.ThrowIfNull(folds);
        return [.. folds.SelectMany(f => f).GroupBy(r => r.Scenario).OrderBy(g => g.Key)
            .Select(g => new ScenarioResult(g.Key, g.Sum(r => r.Frauds), g.Average(r => r.AucRoc), g.Average(r => r.Recall)))];
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
