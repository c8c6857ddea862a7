using Vigil.Learning.Data;

namespace Vigil.Learning.Evaluation;

/// <summary>One train/test split of a protocol: the rows to learn from and the rows to report on.</summary>
public sealed record EvaluationSplit(string Name, string Description, int[] TrainRows, int[] TestRows);

/// <summary>The splits a protocol makes of a dataset.</summary>
public static class EvaluationProtocols
{
    private const long DayMs = 86_400_000;

    /// <summary>The handbook's training start for its single split (its dataset begins on 2018-04-01).</summary>
    public static readonly DateOnly HandbookTrainingStart = new(2018, 7, 25);

    /// <summary>
    /// The Fraud Detection Handbook's protocol: 7 training days, 7 days of delay left unused, 7 test days, with the
    /// cards known to be compromised removed from each test day; the single split, then 4 prequential folds whose
    /// training start moves 7 days later per fold (test weeks from <paramref name="trainingStart"/> + 14, + 21, + 28, + 35).
    /// </summary>
    public static IReadOnlyList<EvaluationSplit> Handbook(TrainingSet data, DateOnly? trainingStart = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var start = trainingStart ?? HandbookTrainingStart;
        var splits = new List<EvaluationSplit> { HandbookSplit(data, "single", start) };
        for (var fold = 3; fold >= 0; fold--)
        {
            splits.Add(HandbookSplit(data, $"prequential-{4 - fold}", start.AddDays(7 * fold)));
        }

        return splits;
    }

    /// <summary>Seed 002's split: 70 % of the rows, drawn at random with <paramref name="seed"/>, to train; the rest to test.</summary>
    public static EvaluationSplit Random70(TrainingSet data, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rows = Enumerable.Range(0, data.Rows).ToArray();
        new Random(seed).Shuffle(rows);
        var cut = (int)(data.Rows * 0.7);
        return new("random70", $"random 70/30 split of {data.Rows:N0} rows (seed {seed})", [.. rows[..cut].Order()], [.. rows[cut..].Order()]);
    }

    private static EvaluationSplit HandbookSplit(TrainingSet data, string name, DateOnly trainingStart)
    {
        var start = TrainingSet.StartOfDayMs(trainingStart);
        var train = data.RowsBetween(start, start + (7 * DayMs));
        var testStart = start + (14 * DayMs);
        var lastTime = data.Rows == 0 ? 0 : data.TimesMs[^1];
        if (train.Length == 0 || data.TimesMs[0] > start || lastTime < testStart + (6 * DayMs))
        {
            throw new ArgumentException(
                $"the {name} split trains from {trainingStart:yyyy-MM-dd} and tests {trainingStart.AddDays(14):yyyy-MM-dd} to " +
                $"{trainingStart.AddDays(20):yyyy-MM-dd}, but the data covers {Day(data.TimesMs[0])} to {Day(lastTime)}: " +
                "generate the handbook's 183 days from 2018-04-01, or move the protocol with --train-start");
        }

        var known = new HashSet<int>(train.Where(r => data.Labels[r] != 0).Select(r => data.Cards[r]));
        var test = new List<int>();
        for (var day = 0; day < 7; day++)
        {
            // Frauds of the delay period's days become known one day at a time: test day i knows those of day i − 8.
            var delayDay = start + ((7 + day - 1) * DayMs);
            known.UnionWith(data.RowsBetween(delayDay, delayDay + DayMs).Where(r => data.Labels[r] != 0).Select(r => data.Cards[r]));
            var testDay = testStart + (day * DayMs);
            test.AddRange(data.RowsBetween(testDay, testDay + DayMs).Where(r => !known.Contains(data.Cards[r])));
        }

        return new(name, $"train {trainingStart:yyyy-MM-dd}..{trainingStart.AddDays(6):yyyy-MM-dd}, test {trainingStart.AddDays(14):yyyy-MM-dd}..{trainingStart.AddDays(20):yyyy-MM-dd}",
            train, [.. test]);
    }

    private static string Day(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
