using Vigil.Learning.Data;
using Vigil.Runtime.Quality;

namespace Vigil.Learning.Retraining;

/// <summary>
/// What a model deciding with the rules would flag at other thresholds: alerts a day against precision and recall, on
/// labelled rows, for thresholds that give round numbers of the model's own alerts a day (5, 10, 20, 50…).
/// </summary>
public static class TradeOffCurve
{
    private static readonly int[] AlertsPerDay = [5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000];

    /// <param name="scores">The model's scores of <paramref name="rows"/>.</param>
    /// <param name="flags">The rows' decision flags (<see cref="LabelledRows.Flags"/>): rule flags count as alerts at every threshold, allowed rows never do.</param>
    public static IReadOnlyList<TradeOffPoint> Of(double[] scores, TrainingSet rows, byte[] flags)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(flags);
        if (rows.Rows == 0)
        {
            return [];
        }

        var days = Math.Max(1, (rows.TimesMs[^1] - rows.TimesMs[0]) / TimeSpan.FromDays(1).TotalMilliseconds);
        var sorted = scores.ToArray();
        Array.Sort(sorted, (a, b) => b.CompareTo(a));
        var points = new List<TradeOffPoint>();
        var previous = double.NaN;
        foreach (var perDay in AlertsPerDay)
        {
            var rank = (int)Math.Min(sorted.Length, Math.Round(perDay * days));
            var threshold = sorted[rank - 1];
            if (threshold == previous)
            {
                continue;
            }

            previous = threshold;
            int flagged = 0, caught = 0;
            for (var i = 0; i < rows.Rows; i++)
            {
                var fraud = (flags[i] & LabelledRows.AllowedFlag) == 0 && ((flags[i] & LabelledRows.RuleFlag) != 0 || scores[i] >= threshold);
                flagged += fraud ? 1 : 0;
                caught += fraud && rows.Labels[i] == 1 ? 1 : 0;
            }

            points.Add(new TradeOffPoint(threshold, flagged / days, flagged == 0 ? 0 : (double)caught / flagged, rows.Frauds == 0 ? 0 : (double)caught / rows.Frauds));
            if (rank == sorted.Length)
            {
                break;
            }
        }

        return points;
    }
}
