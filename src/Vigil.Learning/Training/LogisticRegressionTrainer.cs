using Vigil.Learning.Data;
using Vigil.Models;

namespace Vigil.Learning.Training;

/// <summary>Fits a <see cref="LogisticModel"/>: standardizes each input, then minimizes L2-regularized log loss with L-BFGS.</summary>
/// <remarks>
/// The loss and gradient are summed over fixed chunks of rows in parallel and the chunks added in order, so the result
/// does not depend on the number of cores. Missing values (NaN) are taken at the mean, as scoring does.
/// </remarks>
public sealed class LogisticRegressionTrainer(LogisticRegressionOptions options)
{
    private const int Chunks = 64;

    public int Iterations { get; private set; }

    public bool Converged { get; private set; }

    public LogisticModel Train(TrainingSet data, IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(options.C > 0))
        {
            throw new ArgumentException($"C is a positive number, not {options.C}");
        }

        var (mean, scale) = Standardization(data);
        var d = data.Width;
        var n = data.Rows;
        var x = new double[n * d];
        Parallel.For(0, n, r =>
        {
            for (var j = 0; j < d; j++)
            {
                var v = data.Values[(r * d) + j];
                x[(r * d) + j] = double.IsNaN(v) ? 0 : (v - mean[j]) / scale[j];
            }
        });

        var positives = data.Frauds;
        var positiveWeight = options.Balanced && positives > 0 && positives < n
            ? (double)(n - positives) / positives
            : options.PositiveWeight ?? 1;
        var weightScale = options.Balanced && positives > 0 && positives < n ? n / (2.0 * (n - positives)) : 1;
        var labels = data.Labels;
        var partials = new double[Chunks][];
        for (var c = 0; c < Chunks; c++)
        {
            partials[c] = new double[d + 2];
        }

        double Objective(ReadOnlySpan<double> beta, Span<double> gradient)
        {
            var coefficients = beta.ToArray();
            Parallel.For(0, Chunks, c =>
            {
                var partial = partials[c];
                Array.Clear(partial);
                var from = (int)((long)n * c / Chunks);
                var to = (int)((long)n * (c + 1) / Chunks);
                for (var r = from; r < to; r++)
                {
                    var row = x.AsSpan(r * d, d);
                    var z = coefficients[d];
                    for (var j = 0; j < d; j++)
                    {
                        z += coefficients[j] * row[j];
                    }

                    var y = labels[r];
                    var w = weightScale * (y != 0 ? positiveWeight : 1);

                    partial[d + 1] += w * LogLoss.Of(z, y != 0);
                    var residual = w * (Model.Sigmoid(z) - y);
                    for (var j = 0; j < d; j++)
                    {
                        partial[j] += residual * row[j];
                    }

                    partial[d] += residual;
                }
            });

            gradient.Clear();
            var loss = 0.0;
            foreach (var partial in partials)
            {
                for (var j = 0; j <= d; j++)
                {
                    gradient[j] += partial[j];
                }

                loss += partial[d + 1];
            }

            for (var j = 0; j < d; j++)
            {
                loss += beta[j] * beta[j] / (2 * options.C);
                gradient[j] += beta[j] / options.C;
            }

            return loss;
        }

        var solver = new Lbfgs(maxIterations: options.MaxIterations, gradientTolerance: options.Tolerance);
        var solution = new double[d + 1];
        solver.Minimize(Objective, solution,
            progress is null ? null : new Progress<int>(i => progress.Report(new(i, options.MaxIterations, $"L-BFGS iteration {i}"))));
        Iterations = solver.Iterations;
        Converged = solver.Converged;
        var weights = solution[..d];
        var intercept = solution[d];
        var unthresholded = new LogisticModel(data.Inputs, mean, scale, weights, intercept, 0.5);
        var threshold = options.Threshold ?? (options.ThresholdRule is { } rule
            ? rule.Choose(Scores.Of(unthresholded, data), data.Labels, data.TimesMs)
            : Thresholds.BestF1(Scores.Of(unthresholded, data), data.Labels));
        return new LogisticModel(data.Inputs, mean, scale, weights, intercept, threshold);
    }

    /// <summary>Each input's mean and standard deviation over the rows where it is present (1 when it does not vary).</summary>
    public static (double[] Mean, double[] Scale) Standardization(TrainingSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var d = data.Width;
        var mean = new double[d];
        var scale = new double[d];
        Parallel.For(0, d, j =>
        {
            double sum = 0, count = 0;
            for (var r = 0; r < data.Rows; r++)
            {
                var v = data.Value(r, j);
                if (!double.IsNaN(v))
                {
                    sum += v;
                    count++;
                }
            }

            var m = count > 0 ? sum / count : 0;
            double squares = 0;
            for (var r = 0; r < data.Rows; r++)
            {
                var v = data.Value(r, j);
                if (!double.IsNaN(v))
                {
                    squares += (v - m) * (v - m);
                }
            }

            var sd = count > 0 ? Math.Sqrt(squares / count) : 0;
            mean[j] = m;
            scale[j] = sd > 1e-12 ? sd : 1;
        });
        return (mean, scale);
    }
}
