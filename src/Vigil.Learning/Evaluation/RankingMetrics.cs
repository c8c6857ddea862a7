namespace Vigil.Learning.Evaluation;

/// <summary>Threshold-free measures of how well scores rank fraud above legitimate transactions.</summary>
public static class RankingMetrics
{
    /// <summary>Area under the ROC curve: the chance a random fraud scores above a random legitimate row, ties counting half.</summary>
    /// <returns>NaN when either class is absent.</returns>
    public static double RocAuc(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
    {
        var order = Ascending(scores);
        long positives = 0;
        double positiveRanks = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            // Rows i..j tie; each gets the mean of ranks i+1..j+1.
            var rank = ((i + 1) + (j + 1)) / 2.0;
            for (var k = i; k <= j; k++)
            {
                if (labels[order[k]] != 0)
                {
                    positives++;
                    positiveRanks += rank;
                }
            }

            i = j + 1;
        }

        long negatives = order.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        return (positiveRanks - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>Average precision as scikit-learn computes it: Σ (Rₙ − Rₙ₋₁)·Pₙ over decreasing distinct thresholds.</summary>
    /// <returns>NaN when there is no fraud.</returns>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
    {
        var total = 0;
        foreach (var l in labels)
        {
            total += l != 0 ? 1 : 0;
        }

        if (total == 0)
        {
            return double.NaN;
        }

        var order = Ascending(scores);
        double ap = 0, previousRecall = 0;
        int truePositives = 0, flagged = 0;
        for (var k = order.Length - 1; k >= 0; k--)
        {
            truePositives += labels[order[k]] != 0 ? 1 : 0;
            flagged++;
            if (k > 0 && scores[order[k - 1]] == scores[order[k]])
            {
                continue;
            }

            var recall = (double)truePositives / total;
            ap += (recall - previousRecall) * truePositives / flagged;
            previousRecall = recall;
        }

        return ap;
    }

    /// <summary>The ROC curve (false positive rate, true positive rate) at each distinct threshold, at most about <paramref name="points"/> of them.</summary>
    public static List<(double X, double Y)> RocCurve(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels, int points = 400) =>
        Curve(scores, labels, points, (tp, fp, p, n) => (n == 0 ? 0 : (double)fp / n, p == 0 ? 0 : (double)tp / p), start: (0, 0));

    /// <summary>The precision-recall curve (recall, precision) at each distinct threshold, at most about <paramref name="points"/> of them.</summary>
    public static List<(double X, double Y)> PrecisionRecallCurve(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels, int points = 400) =>
        Curve(scores, labels, points, (tp, fp, p, _) => (p == 0 ? 0 : (double)tp / p, tp + fp == 0 ? 1 : (double)tp / (tp + fp)), start: (0, 1));

    private static List<(double X, double Y)> Curve(
        ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels, int points, Func<int, int, int, int, (double, double)> point, (double, double) start)
    {
        var order = Ascending(scores);
        int positives = 0;
        foreach (var l in labels)
        {
            positives += l != 0 ? 1 : 0;
        }

        var negatives = labels.Length - positives;
        var curve = new List<(double X, double Y)> { start };
        var step = Math.Max(1, order.Length / points);
        int tp = 0, fp = 0, sinceLast = 0;
        for (var k = order.Length - 1; k >= 0; k--)
        {
            if (labels[order[k]] != 0)
            {
                tp++;
            }
            else
            {
                fp++;
            }

            sinceLast++;
            var distinct = k == 0 || scores[order[k - 1]] != scores[order[k]];
            if (distinct && (sinceLast >= step || k == 0))
            {
                curve.Add(point(tp, fp, positives, negatives));
                sinceLast = 0;
            }
        }

        return curve;
    }

    private static int[] Ascending(ReadOnlySpan<double> scores)
    {
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var keys = scores.ToArray();
        Array.Sort(keys, order);
        return order;
    }
}
