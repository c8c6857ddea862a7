namespace Vigil.Learning.Evaluation;

/// <summary>Card Precision@k as the Fraud Detection Handbook defines it: the share of compromised cards among the day's k riskiest.</summary>
/// <remarks>
/// Each day, every card takes its highest score and whether any of its transactions that day was fraud; cards are
/// ranked by score, and the compromised among the top k are counted and divided by k. Cards found compromised on an
/// earlier day are left out of later days (investigators already blocked them). The result is the mean over days.
/// </remarks>
public static class CardPrecision
{
    private const long DayMs = 86_400_000;

    /// <returns>The mean over days, with each day's value; NaN when no row has a card.</returns>
    public static (double Mean, double[] PerDay) AtK(
        ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels, ReadOnlySpan<int> cards, ReadOnlySpan<long> timesMs, int k = 100)
    {
        var days = new SortedDictionary<long, Dictionary<int, (double Score, bool Fraud)>>();
        for (var i = 0; i < scores.Length; i++)
        {
            if (cards[i] < 0)
            {
                continue;
            }

            var day = Math.DivRem(timesMs[i], DayMs).Quotient;
            if (!days.TryGetValue(day, out var byCard))
            {
                days[day] = byCard = [];
            }

            var fraud = labels[i] != 0;
            byCard[cards[i]] = byCard.TryGetValue(cards[i], out var seen)
                ? (Math.Max(seen.Score, scores[i]), seen.Fraud || fraud)
                : (scores[i], fraud);
        }

        if (days.Count == 0)
        {
            return (double.NaN, []);
        }

        var detected = new HashSet<int>();
        var perDay = new List<double>();
        foreach (var byCard in days.Values)
        {
            var top = byCard.Where(c => !detected.Contains(c.Key))
                .OrderByDescending(c => c.Value.Score).ThenBy(c => c.Key)
                .Take(k)
                .Where(c => c.Value.Fraud)
                .Select(c => c.Key)
                .ToList();
            perDay.Add((double)top.Count / k);
            detected.UnionWith(top);
        }

        return (perDay.Average(), [.. perDay]);
    }
}
