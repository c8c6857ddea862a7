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

    private static (double Threshold, double F1) Best(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels)
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
