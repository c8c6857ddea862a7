namespace Vigil.Learning.Training;

/// <summary>Chooses a model's decision threshold from scores whose labels are known.</summary>
public static class Thresholds
{
    /// <summary>The score threshold with the best F1 (fraud when score ≥ threshold); 0.5 when there is no fraud to find.</summary>
    public static double BestF1(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels) => Best(scores, labels).Threshold;

    /// <summary>
    /// Half the best F1 these scores reach, as a threshold for calibrated probabilities: for them, the threshold that
    /// maximizes the expected F1 is half that F1 (Lipton, Elkan and Narayanaswamy, "Thresholding Classifiers to
    /// Maximize F1 Score", 2014). Unlike the best threshold itself, it does not hang on where a few held-out frauds
    /// happen to score. 0.5 when there is no fraud to find.
    /// </summary>
    public static double HalfBestF1(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
    {
        var (threshold, f1) = Best(scores, labels);
        return f1 > 0 ? f1 / 2 : threshold;
    }

    /// <summary>
    /// The lowest threshold that flags at most <paramref name="alertsPerDay"/> rows a day on average over the days the
    /// rows span (at least one): what a team that reviews that many alerts a day can keep up with. Rows tied at the
    /// threshold are all flagged or none; with no room for any alert, the threshold is above every score.
    /// </summary>
    public static double ForCapacity(ReadOnlySpan<double> scores, ReadOnlySpan<long> timesMs, double alertsPerDay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(alertsPerDay);
        if (scores.IsEmpty)
        {
            return 0.5;
        }

        long first = long.MaxValue, last = long.MinValue;
        foreach (var time in timesMs)
        {
            (first, last) = (Math.Min(first, time), Math.Max(last, time));
        }

        var days = timesMs.IsEmpty ? 1 : Math.Max(1, (last - first) / 86_400_000.0);
        var allowed = (long)Math.Floor(alertsPerDay * days);
        var sorted = scores.ToArray();
        Array.Sort(sorted);
        Array.Reverse(sorted);
        if (allowed >= sorted.Length)
        {
            return sorted[^1];
        }

        // sorted[allowed] is the first score that must stay unflagged: the threshold sits just above it.
        return Math.BitIncrement(sorted[allowed]);
    }

    /// <summary>
    /// The threshold with the least cost: <paramref name="missedFraud"/> for each fraud it lets through and
    /// <paramref name="review"/> for each row it flags (fraud or not, an analyst looks at it). Above every score when
    /// flagging nothing costs least.
    /// </summary>
    public static double ForCost(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels, double missedFraud, double review)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(missedFraud);
        ArgumentOutOfRangeException.ThrowIfNegative(review);
        if (scores.IsEmpty)
        {
            return 0.5;
        }

        var (keys, order, positives) = Sorted(scores, labels);
        var best = missedFraud * positives; // nothing flagged
        var threshold = Math.BitIncrement(keys[^1]);
        var truePositives = 0;
        for (var k = order.Length - 1; k >= 0; k--)
        {
            truePositives += labels[order[k]];
            if (k > 0 && keys[k - 1] == keys[k])
            {
                continue;
            }

            var cost = (review * (order.Length - k)) + (missedFraud * (positives - truePositives));
            if (cost < best)
            {
                (best, threshold) = (cost, keys[k]);
            }
        }

        return threshold;
    }

    /// <summary>The scores in ascending order, each row's index in the same order, and the number of frauds.</summary>
    private static (double[] Keys, int[] Order, int Positives) Sorted(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
    {
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var keys = scores.ToArray();
        Array.Sort(keys, order);
        var positives = 0;
        foreach (var l in labels)
        {
            positives += l;
        }

        return (keys, order, positives);
    }

    private static (double Threshold, double F1) Best(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
    {
        var (keys, order, positives) = Sorted(scores, labels);
        if (positives == 0)
        {
            return (0.5, 0);
        }

        // Walk from the highest score down: each distinct score is a candidate threshold.
        double best = -1, threshold = 0.5;
        var truePositives = 0;
        for (var k = order.Length - 1; k >= 0; k--)
        {
            truePositives += labels[order[k]];
            if (k > 0 && keys[k - 1] == keys[k])
            {
                continue;
            }

            var flagged = order.Length - k;
            var f1 = 2.0 * truePositives / (flagged + positives);
            if (f1 > best)
            {
                best = f1;
                threshold = keys[k];
            }
        }

        return (threshold, best);
    }
}
