namespace Vigil.Models;

/// <summary>Logistic regression: the sigmoid of a weighted sum of standardized inputs.</summary>
/// <remarks>A missing input (NaN) is taken at its training mean, so it contributes nothing.</remarks>
public sealed class LogisticModel : Model
{
    private readonly double[] _mean;
    private readonly double[] _scale;
    private readonly double[] _weights;

    public LogisticModel(IReadOnlyList<string> inputs, double[] mean, double[] scale, double[] weights, double intercept, double threshold)
        : base(inputs, threshold)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(weights);
        if (mean.Length != inputs.Count || scale.Length != inputs.Count || weights.Length != inputs.Count)
        {
            throw new ArgumentException($"a logistic model of {inputs.Count} inputs needs {inputs.Count} means, scales and weights");
        }

        if (scale.Any(s => !(s > 0) || !double.IsFinite(s)) || mean.Any(m => !double.IsFinite(m)) || weights.Any(w => !double.IsFinite(w))
            || !double.IsFinite(intercept))
        {
            throw new ArgumentException("means and weights are finite numbers and scales are positive");
        }

        _mean = [.. mean];
        _scale = [.. scale];
        _weights = [.. weights];
        Intercept = intercept;
    }

    public override ModelKind Kind => ModelKind.LogisticRegression;

    public ReadOnlySpan<double> Mean => _mean;

    public ReadOnlySpan<double> Scale => _scale;

    public ReadOnlySpan<double> Weights => _weights;

    public double Intercept { get; }

    public override double Score(ReadOnlySpan<double> inputs) => Sigmoid(Margin(inputs));

    /// <summary>The log-odds of fraud.</summary>
    public double Margin(ReadOnlySpan<double> inputs)
    {
        var z = Intercept;
        for (var i = 0; i < _weights.Length; i++)
        {
            var x = inputs[i];
            if (!double.IsNaN(x))
            {
                z += _weights[i] * (x - _mean[i]) / _scale[i];
            }
        }

        return z;
    }

    /// <summary>Weight times standardized value, per input.</summary>
    public override void Explain(ReadOnlySpan<double> inputs, Span<double> contributions)
    {
        for (var i = 0; i < _weights.Length; i++)
        {
            var x = inputs[i];
            contributions[i] = double.IsNaN(x) ? 0 : _weights[i] * (x - _mean[i]) / _scale[i];
        }
    }
}
