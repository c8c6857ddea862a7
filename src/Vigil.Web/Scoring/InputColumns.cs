using Vigil.Features;
using Vigil.Models;

namespace Vigil.Web.Scoring;

/// <summary>A model's inputs as columns of a request: the plain names a client sends, and how rows are built from them.</summary>
public sealed class InputColumns
{
    private readonly Model _model;
    private readonly ModelInputs _inputs;

    public InputColumns(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _inputs = new ModelInputs(model.Inputs, FeatureSet.None);
        Simple = _inputs.SimpleNames;
    }

    /// <summary>The columns a request must have: the model's inputs, a ratio's two parts instead of the ratio.</summary>
    public IReadOnlyList<string> Simple { get; }

    /// <summary>For each simple input, its position among <paramref name="columns"/>: the same name, else the same ignoring case.</summary>
    public int[] Locate(IReadOnlyList<string> columns, string? where = null)
    {
        var positions = new int[Simple.Count];
        var missing = new List<string>();
        var names = columns as List<string> ?? [.. columns];
        for (var i = 0; i < Simple.Count; i++)
        {
            var at = names.IndexOf(Simple[i]);
            if (at < 0)
            {
                at = names.FindIndex(c => string.Equals(c, Simple[i], StringComparison.OrdinalIgnoreCase));
            }

            if (at < 0)
            {
                missing.Add(Simple[i]);
            }

            positions[i] = at;
        }

        return missing.Count == 0 ? positions : throw new ScoringRequestException(
            $"{where ?? "the request"} lacks column{(missing.Count > 1 ? "s" : string.Empty)} {string.Join(", ", missing)} (model {_model.Version} takes {string.Join(", ", Simple)})");
    }

    /// <summary>Whether simple input <paramref name="column"/> is the transaction's amount (the seed sends it as <c>Amount</c>).</summary>
    public bool IsAmount(int column) => string.Equals(Simple[column], ModelInputs.Amount, StringComparison.OrdinalIgnoreCase);

    /// <summary>One row of the model's inputs from the simple inputs' values.</summary>
    public double[] Row(Func<int, double> simpleValue)
    {
        var simple = new double[Simple.Count];
        for (var i = 0; i < simple.Length; i++)
        {
            simple[i] = simpleValue(i);
        }

        var row = new double[_model.Inputs.Count];
        _inputs.FromSimple(simple, row);
        return row;
    }
}
