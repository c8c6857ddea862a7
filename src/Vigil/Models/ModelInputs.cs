using System.Text;
using Vigil.Features;
using Vigil.Transactions;

namespace Vigil.Models;

/// <summary>Where each of a model's inputs comes from: a computed feature, the amount, or a numeric field of the record.</summary>
/// <remarks>
/// Training and scoring fill rows through the same map, so a model sees online exactly what it saw in training. A
/// name that is a feature of the set is that feature; <c>amount</c> is the transaction's amount; any other name is a
/// numeric field of the record (the ULB file's V1..V28), NaN where the record lacks it. <c>a/b</c> is the ratio of two
/// such inputs (<c>tx_amount/customer_avg_amount_30d</c>: how unusual the amount is for the customer), NaN when b is 0.
/// One instance per thread: it remembers where fields were found.
/// </remarks>
public sealed class ModelInputs
{
    public const string Amount = "amount";

    private readonly int[] _feature;
    private readonly byte[][] _field;
    private readonly int[] _fieldPosition;
    private readonly int[] _recordFeaturePosition;

    // For a ratio input, the simple inputs (appended after the named ones) of its numerator and denominator.
    private readonly int[] _numerator;
    private readonly int[] _denominator;
    private readonly double[] _simple;

    public ModelInputs(IReadOnlyList<string> inputs, FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(features);
        Names = [.. inputs];
        Features = features;
        var simple = new List<string>();
        _numerator = new int[inputs.Count];
        _denominator = new int[inputs.Count];
        int Simple(string name)
        {
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
            {
                throw new ArgumentException($"input '{name}' is not a name, or a ratio of two names such as tx_amount/customer_avg_amount_30d");
            }

            var at = simple.IndexOf(name);
            if (at < 0)
            {
                simple.Add(name);
                at = simple.Count - 1;
            }

            return at;
        }

        for (var i = 0; i < inputs.Count; i++)
        {
            var slash = inputs[i].IndexOf('/', StringComparison.Ordinal);
            (_numerator[i], _denominator[i]) = slash < 0 ? (Simple(inputs[i]), -1) : (Simple(inputs[i][..slash]), Simple(inputs[i][(slash + 1)..]));
        }

        _feature = [.. simple.Select(features.IndexOf)];
        _field = [.. simple.Select(Encoding.UTF8.GetBytes)];
        _fieldPosition = new int[simple.Count];
        _recordFeaturePosition = new int[simple.Count];
        _simple = new double[simple.Count];
        SimpleNames = simple;
    }

    /// <summary>The names that are not ratios, the parts of ratios included: what a source must provide.</summary>
    public IReadOnlyList<string> SimpleNames { get; }

    public IReadOnlyList<string> Names { get; }

    public FeatureSet Features { get; }

    public int Count => Names.Count;

    /// <summary>Fills one row from a transaction and its feature values (in <see cref="Features"/>' order).</summary>
    public void Fill(Transaction transaction, ReadOnlySpan<double> featureValues, Span<double> row)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        for (var i = 0; i < _feature.Length; i++)
        {
            var feature = _feature[i];
            _simple[i] = feature >= 0 ? featureValues[feature] : Field(transaction, i);
        }

        Combine(row);
    }

    /// <summary>Fills one row from a record the feature stage enriched: each name from its <c>"features"</c> object, else the record, else NaN.</summary>
    public void Fill(Transaction transaction, Span<double> row)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        for (var i = 0; i < _feature.Length; i++)
        {
            _simple[i] = TryField(transaction.Features, i, _recordFeaturePosition, out var value) ? value : Field(transaction, i);
        }

        Combine(row);
    }

    /// <summary>
    /// Why a scoring request cannot be scored, or null: an input the transaction does not give (not a computed feature,
    /// when <paramref name="featuresComputed"/>; not in its <c>"features"</c> object otherwise; not its amount, not one
    /// of its fields), or a value it gives beyond <see cref="TransactionLimits.MaxInput"/>. A field given as null is a
    /// missing value, as in <c>/invocations</c>. Streams do not ask this: a record lacking an input is scored with it missing.
    /// </summary>
    public string? Refusal(Transaction transaction, bool featuresComputed)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        List<string>? missing = null;
        for (var i = 0; i < _feature.Length; i++)
        {
            if ((_feature[i] >= 0 && featuresComputed) || _field[i].AsSpan().SequenceEqual("amount"u8))
            {
                continue;
            }

            if ((featuresComputed || !TryField(transaction.Features, i, _recordFeaturePosition, out var value))
                && !TryField(transaction.Numbers, i, _fieldPosition, out value))
            {
                (missing ??= []).Add(SimpleNames[i]);
            }
            else if (!double.IsNaN(value) && TransactionLimits.CheckInput(value) is { } problem)
            {
                return $"{SimpleNames[i]} {problem}";
            }
        }

        return missing is null ? null
            : $"the transaction lacks {(missing.Count > 1 ? "inputs" : "input")} {string.Join(", ", missing)} of the model (it takes {string.Join(", ", SimpleNames)}; " +
              "a number out of range counts as absent, and null gives a missing value)";
    }

    private double Field(Transaction transaction, int input) =>
        _field[input].AsSpan().SequenceEqual("amount"u8) ? transaction.Amount
        : TryField(transaction.Numbers, input, _fieldPosition, out var value) ? value
        : double.NaN;

    private void Combine(Span<double> row) => FromSimple(_simple, row);

    /// <summary>A row of the inputs from the values of <see cref="SimpleNames"/>, computing the ratios; keeps no state.</summary>
    public void FromSimple(ReadOnlySpan<double> simple, Span<double> row)
    {
        for (var i = 0; i < _numerator.Length; i++)
        {
            var value = simple[_numerator[i]];
            if (_denominator[i] >= 0)
            {
                var divisor = simple[_denominator[i]];
                value = divisor == 0 ? double.NaN : value / divisor;
            }

            row[i] = value;
        }
    }

    /// <summary>Reads a record field by name, trying first where it was found in the last record: records of one stream share a layout.</summary>
    private bool TryField(NumericFields fields, int input, int[] positions, out double value)
    {
        var at = positions[input];
        if (at < fields.Count && fields.NameUtf8(at).SequenceEqual(_field[input]))
        {
            value = fields[at];
            return true;
        }

        for (var j = 0; j < fields.Count; j++)
        {
            if (fields.NameUtf8(j).SequenceEqual(_field[input]))
            {
                positions[input] = j;
                value = fields[j];
                return true;
            }
        }

        value = double.NaN;
        return false;
    }
}
