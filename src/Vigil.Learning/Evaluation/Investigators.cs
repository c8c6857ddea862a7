using Vigil.Learning.Data;
using Vigil.Learning.Training;
using Vigil.Models;

namespace Vigil.Learning.Evaluation;

/// <summary>
/// Simulated investigators, as the handbook's Card Precision@k assumes them: each day an analyst reviews the
/// <c>k</c> cards the deployed model finds riskiest that day, and learns their truth at once instead of a week later.
/// On the handbook's protocol that feedback turns part of the delay week (whose labels are otherwise unknown) into
/// training rows.
/// </summary>
public static class Investigators
{
    private const long DayMs = 86_400_000;

    /// <summary>Days after the training rows whose labels the protocol leaves unknown (the handbook's delay).</summary>
    public const int DelayDays = 7;

    /// <summary>
    /// The rows whose labels <paramref name="cardsPerDay"/> investigators learn during the delay after
    /// <paramref name="split"/>'s training rows: each day, every transaction of that day of the cards with the highest
    /// score there (a card's score is its riskiest transaction's), as <paramref name="model"/> scored them. In time order.
    /// </summary>
    public static int[] Feedback(TrainingSet data, EvaluationSplit split, Model model, int cardsPerDay)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(cardsPerDay);
        if (split.TrainRows.Length == 0 || cardsPerDay == 0)
        {
            return [];
        }

        var lastTrain = data.TimesMs[split.TrainRows[^1]];
        var delayStart = lastTrain - (lastTrain % DayMs) + DayMs;
        var feedback = new List<int>();
        for (var day = 0; day < DelayDays; day++)
        {
            var from = delayStart + (day * DayMs);
            var rows = data.RowsBetween(from, from + DayMs);
            if (rows.Length == 0)
            {
                continue;
            }

            var scores = Scores.Of(model, data.Select(rows));
            var riskiest = new Dictionary<int, double>();
            for (var i = 0; i < rows.Length; i++)
            {
                var card = data.Cards[rows[i]];
                if (card >= 0)
                {
                    riskiest[card] = Math.Max(riskiest.GetValueOrDefault(card, double.NegativeInfinity), scores[i]);
                }
            }

            // Ties broken by card, so that the same scores always send the analysts to the same cards.
            var reviewed = riskiest.OrderByDescending(c => c.Value).ThenBy(c => c.Key).Take(cardsPerDay).Select(c => c.Key).ToHashSet();
            feedback.AddRange(rows.Where(r => reviewed.Contains(data.Cards[r])));
        }

        return [.. feedback];
    }
}
