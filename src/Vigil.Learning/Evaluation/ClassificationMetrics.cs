using Vigil.Learning.Data;

namespace Vigil.Learning.Evaluation;

/// <summary>How a model did on one test set: ranking measures, Card Precision@100, and the confusion matrix at its threshold.</summary>
public sealed record ClassificationMetrics(
    double AucRoc,
    double AveragePrecision,
    double CardPrecisionAt100,
    double[] CardPrecisionPerDay,
    double Threshold,
    long TruePositives,
    long FalsePositives,
    long TrueNegatives,
    long FalseNegatives)
{
    public long Rows => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    public double Precision => TruePositives + FalsePositives == 0 ? 0 : (double)TruePositives / (TruePositives + FalsePositives);

    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : (double)TruePositives / (TruePositives + FalseNegatives);

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public double Accuracy => Rows == 0 ? 0 : (double)(TruePositives + TrueNegatives) / Rows;

    public static ClassificationMetrics Measure(double[] scores, TrainingSet test, double threshold)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(test);
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var flagged = scores[i] >= threshold;
            var fraud = test.Labels[i] != 0;
            if (flagged && fraud)
            {
                tp++;
            }
            else if (flagged)
            {
                fp++;
            }
            else if (fraud)
            {
                fn++;
            }
            else
            {
                tn++;
            }
        }

        var (cp, perDay) = CardPrecision.AtK(scores, test.Labels, test.Cards, test.TimesMs);
        return new(RankingMetrics.RocAuc(scores, test.Labels), RankingMetrics.AveragePrecision(scores, test.Labels), cp, perDay,
            threshold, tp, fp, tn, fn);
    }

    /// <summary>The mean of several results, as the prequential estimate reports (confusion counts summed).</summary>
    public static ClassificationMetrics Mean(IReadOnlyList<ClassificationMetrics> folds)
    {
        ArgumentNullException.ThrowIfNull(folds);
        return new(folds.Average(f => f.AucRoc), folds.Average(f => f.AveragePrecision), folds.Average(f => f.CardPrecisionAt100), [],
            folds.Average(f => f.Threshold), folds.Sum(f => f.TruePositives), folds.Sum(f => f.FalsePositives), folds.Sum(f => f.TrueNegatives),
            folds.Sum(f => f.FalseNegatives));
    }
}
