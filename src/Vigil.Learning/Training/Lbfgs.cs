namespace Vigil.Learning.Training;

/// <summary>Limited-memory BFGS (Nocedal and Wright, algorithm 7.5) with a backtracking Armijo line search.</summary>
/// <remarks>For smooth convex objectives such as L2-regularized log loss; deterministic, allocates only at start.</remarks>
internal sealed class Lbfgs(int memory = 10, int maxIterations = 1000, double gradientTolerance = 1e-6)
{
    /// <summary>Computes the objective at <c>x</c> and writes its gradient into the second span.</summary>
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

    public int Iterations { get; private set; }

    public bool Converged { get; private set; }

    /// <summary>Minimizes from <paramref name="x"/>, which ends at the minimum found; returns the objective there.</summary>
    public double Minimize(Objective objective, double[] x, IProgress<int>? progress = null)
    {
        var n = x.Length;
        var s = new double[memory][];
        var y = new double[memory][];
        var rho = new double[memory];
        var alpha = new double[memory];
        for (var i = 0; i < memory; i++)
        {
            s[i] = new double[n];
            y[i] = new double[n];
        }

        var gradient = new double[n];
        var nextGradient = new double[n];
        var direction = new double[n];
        var next = new double[n];
        var f = objective(x, gradient);
        var stored = 0;
        var newest = -1;
        Converged = false;
        for (Iterations = 0; Iterations < maxIterations; Iterations++)
        {
            if (MaxAbs(gradient) <= gradientTolerance * Math.Max(1, Math.Abs(f)))
            {
                Converged = true;
                break;
            }

            // Two-loop recursion: direction = −H·gradient.
            gradient.CopyTo(direction, 0);
            for (var k = 0; k < stored; k++)
            {
                var j = (newest - k + memory) % memory;
                alpha[j] = rho[j] * Dot(s[j], direction);
                Axpy(-alpha[j], y[j], direction);
            }

            var gamma = stored > 0 ? Dot(s[newest], y[newest]) / Dot(y[newest], y[newest]) : 1 / Math.Max(1, Norm(gradient));
            for (var i = 0; i < n; i++)
            {
                direction[i] *= gamma;
            }

            for (var k = stored - 1; k >= 0; k--)
            {
                var j = (newest - k + memory) % memory;
                var beta = rho[j] * Dot(y[j], direction);
                Axpy(alpha[j] - beta, s[j], direction);
            }

            for (var i = 0; i < n; i++)
            {
                direction[i] = -direction[i];
            }

            var slope = Dot(gradient, direction);
            if (slope >= 0)
            {
                // Not a descent direction (rounding): restart from steepest descent.
                stored = 0;
                for (var i = 0; i < n; i++)
                {
                    direction[i] = -gradient[i] / Math.Max(1, Norm(gradient));
                }

                slope = Dot(gradient, direction);
            }

            var step = 1.0;
            double nextF;
            while (true)
            {
                for (var i = 0; i < n; i++)
                {
                    next[i] = x[i] + (step * direction[i]);
                }

                nextF = objective(next, nextGradient);
                if (nextF <= f + (1e-4 * step * slope) || step < 1e-20)
                {
                    break;
                }

                step *= 0.5;
            }

            var decrease = f - nextF;
            newest = (newest + 1) % memory;
            for (var i = 0; i < n; i++)
            {
                s[newest][i] = next[i] - x[i];
                y[newest][i] = nextGradient[i] - gradient[i];
            }

            var sy = Dot(s[newest], y[newest]);
            if (sy > 1e-12)
            {
                rho[newest] = 1 / sy;
                stored = Math.Min(stored + 1, memory);
            }
            else
            {
                newest = (newest - 1 + memory) % memory;
            }

            next.CopyTo(x, 0);
            nextGradient.CopyTo(gradient, 0);
            f = nextF;
            progress?.Report(Iterations + 1);
            if (step < 1e-20 || Math.Abs(decrease) <= 1e-14 * Math.Max(1, Math.Abs(f)))
            {
                Converged = true;
                break;
            }
        }

        return f;
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static double MaxAbs(double[] a) => a.Length == 0 ? 0 : a.Max(Math.Abs);
}
