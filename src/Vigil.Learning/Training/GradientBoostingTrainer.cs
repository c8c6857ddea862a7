using Vigil.Learning.Data;
using Vigil.Models;

namespace Vigil.Learning.Training;

/// <summary>Fits a <see cref="GradientBoostedModel"/>: histogram trees on binned inputs, log loss, shrinkage, subsampling, early stopping.</summary>
/// <remarks>
/// The training rows are in time order; the last <see cref="GradientBoostingOptions.ValidationFraction"/> of them
/// are held out to stop early (the validation log loss) and to choose the threshold, so the model is judged on rows
/// later than those it learned from, as it will be in production. Random draws come from the seed and the tree
/// number only: the same data and options give the same model on any number of cores.
/// </remarks>
public sealed class GradientBoostingTrainer(GradientBoostingOptions options)
{
    /// <summary>Trees kept: the best validation loss's count.</summary>
    public int TreesKept { get; private set; }

    /// <summary>Validation log loss after each tree.</summary>
    public IReadOnlyList<double> ValidationLoss { get; private set; } = [];

    public GradientBoostedModel Train(TrainingSet data, IProgress<TrainingProgress>? progress = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        Validate();
        var validationRows = options.EarlyStoppingRounds > 0 || options.Threshold is null
            ? (int)(data.Rows * options.ValidationFraction)
            : 0;
        var train = validationRows > 0 ? data.Select([.. Enumerable.Range(0, data.Rows - validationRows)]) : data;
        var validation = validationRows > 0 ? data.Select([.. Enumerable.Range(data.Rows - validationRows, validationRows)]) : null;
        if (train.Frauds == 0)
        {
            throw new ArgumentException("the training rows hold no fraud: gradient boosting needs both classes");
        }

        var linear = LinearBase(train, progress);
        var (trees, baseMargin, losses, bestCount) = Boost(train, validation, linear, options.Trees, progress, stop);
        stop.ThrowIfCancellationRequested();
        TreesKept = options.EarlyStoppingRounds > 0 ? bestCount : trees.Count;
        ValidationLoss = losses;
        var kept = trees.Take(TreesKept).ToList();
        var chooser = validation ?? train;
        var held = Scores.Of(new GradientBoostedModel(data.Inputs, baseMargin, kept, 0.5, linear), chooser);
        var threshold = options.Threshold ?? options.ThresholdRule?.Choose(held, chooser.Labels, chooser.TimesMs)
            ?? (options.PositiveWeight == 1 ? Thresholds.HalfBestF1(held, chooser.Labels) : Thresholds.BestF1(held, chooser.Labels));
        if (validation is not null && options.Refit)
        {
            // The held-out rows are the latest, the most like what comes next: learn from them too, with the tree count they chose.
            progress?.Report(new(0, TreesKept, "refitting on every training row"));
            linear = LinearBase(data, progress);
            (kept, baseMargin, _, _) = Boost(data, null, linear, TreesKept, progress, stop);
            stop.ThrowIfCancellationRequested();
        }

        return new GradientBoostedModel(data.Inputs, baseMargin, kept, threshold, linear);
    }

    private LogisticModel? LinearBase(TrainingSet rows, IProgress<TrainingProgress>? progress)
    {
        if (!options.LinearBase)
        {
            return null;
        }

        progress?.Report(new(0, options.Trees, "fitting the linear base"));
        return new LogisticRegressionTrainer(new LogisticRegressionOptions { PositiveWeight = options.PositiveWeight, Threshold = 0.5 }).Train(rows);
    }

    private (List<DecisionTree> Trees, double BaseMargin, List<double> Losses, int BestCount) Boost(
        TrainingSet train, TrainingSet? validation, LogisticModel? linear, int maxTrees, IProgress<TrainingProgress>? progress, CancellationToken stop)
    {
        var bins = FeatureBins.Build(train, options.MaxBins);
        var n = train.Rows;
        var weights = new float[n];
        double weightSum = 0, positiveSum = 0;
        for (var r = 0; r < n; r++)
        {
            weights[r] = (float)(train.Labels[r] != 0 ? options.PositiveWeight : 1);
            weightSum += weights[r];
            positiveSum += train.Labels[r] != 0 ? weights[r] : 0;
        }

        var rate = positiveSum / weightSum;
        var baseMargin = linear is null ? Math.Log(rate / (1 - rate)) : 0;
        var margins = new double[n];
        Parallel.For(0, n, r => margins[r] = baseMargin + (linear?.Margin(train.Row(r)) ?? 0));
        var validationMargins = new double[validation?.Rows ?? 0];
        Parallel.For(0, validationMargins.Length, r => validationMargins[r] = baseMargin + (linear?.Margin(validation!.Row(r)) ?? 0));
        var gradients = new float[n];
        var hessians = new float[n];
        var trees = new List<DecisionTree>();
        var losses = new List<double>();
        var bestLoss = double.PositiveInfinity;
        var bestCount = 0;
        for (var t = 0; t < maxTrees && !stop.IsCancellationRequested; t++)
        {
            Parallel.For(0, n, r =>
            {
                var p = Model.Sigmoid(margins[r]);
                gradients[r] = (float)(weights[r] * (p - train.Labels[r]));
                hessians[r] = (float)(weights[r] * Math.Max(p * (1 - p), 1e-16));
            });

            var random = new Random(Seeds.For(options.Seed, t));
            var rows = SampleRows(n, random);
            var features = SampleFeatures(train.Width, random);
            var grower = new HistogramTree(bins, options);
            var tree = grower.Grow(rows, gradients, hessians, features);
            trees.Add(tree);
            Parallel.For(0, n, r => margins[r] += tree.Value[grower.LeafOfRow(r)]);
            if (validation is not null)
            {
                Parallel.For(0, validation.Rows, r => validationMargins[r] += tree.Value[tree.LeafOf(validation.Row(r))]);
                var loss = MeanLogLoss(validationMargins, validation.Labels);
                losses.Add(loss);
                if (loss < bestLoss - 1e-12)
                {
                    bestLoss = loss;
                    bestCount = trees.Count;
                }
                else if (options.EarlyStoppingRounds > 0 && trees.Count - bestCount >= options.EarlyStoppingRounds)
                {
                    progress?.Report(new(t + 1, maxTrees, $"stopped early: no better validation loss in {options.EarlyStoppingRounds} trees"));
                    break;
                }

                progress?.Report(new(t + 1, maxTrees, $"tree {t + 1}, validation log loss {loss:F5} (best {bestLoss:F5} at {bestCount})"));
            }
            else
            {
                bestCount = trees.Count;
                progress?.Report(new(t + 1, maxTrees, $"tree {t + 1}"));
            }
        }

        return (trees, baseMargin, losses, bestCount);
    }

    private void Validate()
    {
        if (options.Trees < 1 || options.MaxDepth < 1 || options.MaxLeaves < 2 || !(options.LearningRate > 0)
            || !(options.RowSample > 0 && options.RowSample <= 1) || !(options.ColumnSample > 0 && options.ColumnSample <= 1)
            || !(options.ValidationFraction >= 0 && options.ValidationFraction < 1) || options.MinChildWeight < 0 || options.L2 < 0
            || !(options.PositiveWeight > 0))
        {
            throw new ArgumentException("gradient boosting needs trees ≥ 1, depth ≥ 1, leaves ≥ 2, a positive learning rate, " +
                "samples in (0, 1], a validation fraction in [0, 1), and non-negative weights");
        }
    }

    private int[] SampleRows(int n, Random random)
    {
        if (options.RowSample >= 1)
        {
            return [.. Enumerable.Range(0, n)];
        }

        var rows = new List<int>((int)(n * options.RowSample) + 16);
        for (var r = 0; r < n; r++)
        {
            if (random.NextDouble() < options.RowSample)
            {
                rows.Add(r);
            }
        }

        return [.. rows];
    }

    private int[] SampleFeatures(int width, Random random)
    {
        var count = Math.Max(1, (int)Math.Ceiling(width * options.ColumnSample));
        var all = Enumerable.Range(0, width).ToArray();
        random.Shuffle(all);
        return [.. all.Take(count).Order()];
    }

    private static double MeanLogLoss(double[] margins, byte[] labels)
    {
        var sum = 0.0;
        for (var r = 0; r < margins.Length; r++)
        {
            sum += LogLoss.Of(margins[r], labels[r] != 0);
        }

        return sum / Math.Max(1, margins.Length);
    }
}
