using System.Text.Json.Nodes;
using Vigil.Features;

namespace Vigil.Models;

/// <summary>A trained model: scores a row of named inputs in [0, 1] and says which inputs drove the score.</summary>
/// <remarks>
/// Thread-safe: one instance serves every worker, and a detector swaps whole models. Scoring allocates
/// nothing; inputs come in the order of <see cref="Inputs"/>, NaN for a value that is missing. Its parameters never
/// change; the descriptive properties are set by whoever builds or loads it, before it is shared.
/// </remarks>
public abstract class Model
{
    protected Model(IReadOnlyList<string> inputs, double threshold)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            throw new ArgumentException("a model needs at least one input", nameof(inputs));
        }

        if (!double.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold is a finite number.");
        }

        Inputs = [.. inputs];
        Threshold = threshold;
    }

    public abstract ModelKind Kind { get; }

    /// <summary>The input names, in the order <see cref="Score"/> takes them: features, <c>amount</c> or record fields.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>A score at or above this is fraud.</summary>
    public double Threshold { get; }

    /// <summary>Names this model in decisions and reports: its kind and a digest of its content, unless the file names it.</summary>
    public string Version { get; set; } = "unversioned";

    /// <summary>The declared features its inputs come from, so that the pipeline computes exactly what training saw.</summary>
    public FeatureSet Features { get; set; } = FeatureSet.None;

    /// <summary>How the model was trained and how it scored then (parameters, data, metrics), as the file holds it.</summary>
    public JsonObject Metadata { get; set; } = [];

    /// <summary>The fraud score of one row, in [0, 1].</summary>
    public abstract double Score(ReadOnlySpan<double> inputs);

    /// <summary>Each input's contribution to this row's score, on the model's own scale (log-odds, or isolation).</summary>
    public abstract void Explain(ReadOnlySpan<double> inputs, Span<double> contributions);

    /// <summary>Scores rows laid out one after another, <see cref="Inputs"/> values each.</summary>
    public virtual void ScoreRows(ReadOnlySpan<double> rows, Span<double> scores)
    {
        var width = Inputs.Count;
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = Score(rows.Slice(i * width, width));
        }
    }

    /// <summary>1 / (1 + e^−z), computed without overflow.</summary>
    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}
