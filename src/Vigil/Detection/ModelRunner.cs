using System.Globalization;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Transactions;

namespace Vigil.Detection;

/// <summary>One model as one detector runs it: its input map and scratch rows, and its reasons pre-encoded for the output record.</summary>
/// <remarks>Owned by one detector (one thread); built once per model, so scoring a record allocates nothing.</remarks>
public sealed class ModelRunner
{
    /// <summary>Reasons a model gives a fraud decision: its inputs that pushed the score up most.</summary>
    public const int MaxReasons = 3;

    private readonly ModelInputs _inputs;
    private readonly double[] _row;
    private readonly double[] _contributions;
    private readonly byte[][] _reasonPrefixes;

    public ModelRunner(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        _inputs = new ModelInputs(model.Inputs, model.Features);
        _row = new double[model.Inputs.Count];
        _contributions = new double[model.Inputs.Count];
        _reasonPrefixes = [.. model.Inputs.Select(name =>
            (byte[])[.. "{\"code\":\"model:"u8, .. JsonText.Escape(name), .. "\",\"text\":\""u8, .. JsonText.Escape(name), .. " = "u8])];
        VersionUtf8 = [.. "\""u8, .. JsonText.Escape(model.Version), .. "\""u8];
        VersionPlainUtf8 = System.Text.Encoding.UTF8.GetBytes(model.Version);
        InputNamesUtf8 = [.. model.Inputs.Select(System.Text.Encoding.UTF8.GetBytes)];
        MaxLength = VersionUtf8.Length + 160 + (MaxReasons * (_reasonPrefixes.Max(p => p.Length) + 80));
    }

    public Model Model { get; }

    internal byte[] VersionUtf8 { get; }

    /// <summary>The version and the input names as plain UTF-8, for binary records.</summary>
    internal byte[] VersionPlainUtf8 { get; }

    internal byte[][] InputNamesUtf8 { get; }

    /// <summary>Bytes the model's part of a decision may take.</summary>
    internal int MaxLength { get; }

    /// <summary>The inputs of the record just scored, in <see cref="Models.Model.Inputs"/>' order; overwritten by the next.</summary>
    public ReadOnlySpan<double> LastRow => _row;

    /// <summary>Scores a decoded record, reading its features from the record's <c>"features"</c> object.</summary>
    public double Score(Transaction transaction)
    {
        _inputs.Fill(transaction, _row);
        return Model.Score(_row);
    }

    /// <summary>The inputs (of the row just scored) that contributed most towards fraud, largest first; at most <see cref="MaxReasons"/>.</summary>
    internal int Explain(Span<int> inputs, Span<double> values, Span<double> contributions)
    {
        Model.Explain(_row, _contributions);
        var count = 0;
        for (var i = 0; i < _contributions.Length; i++)
        {
            var c = _contributions[i];
            if (!(c > 0))
            {
                continue;
            }

            // Insertion into the short, sorted list of the largest so far.
            var at = count < MaxReasons ? count++ : MaxReasons;
            while (at > 0 && contributions[at - 1] < c)
            {
                if (at < MaxReasons)
                {
                    inputs[at] = inputs[at - 1];
                    contributions[at] = contributions[at - 1];
                }

                at--;
            }

            if (at < MaxReasons)
            {
                inputs[at] = i;
                contributions[at] = c;
            }
        }

        for (var k = 0; k < count; k++)
        {
            values[k] = _row[inputs[k]];
        }

        return count;
    }

    /// <summary>Writes one reason: <c>{"code":"model:NAME","text":"NAME = 412.5","contribution":1.23}</c>.</summary>
    internal int WriteReason(int input, double value, double contribution, Span<byte> destination)
    {
        var prefix = _reasonPrefixes[input];
        prefix.CopyTo(destination);
        var at = prefix.Length;
        at += WriteNumber(value, destination[at..], "G6");
        at += Put("\",\"contribution\":"u8, destination[at..]);
        at += WriteNumber(contribution, destination[at..], "G4");
        destination[at++] = (byte)'}';
        return at;
    }

    internal static int WriteNumber(double value, Span<byte> destination, string format)
    {
        if (!double.IsFinite(value))
        {
            return Put("null"u8, destination);
        }

        value.TryFormat(destination, out var written, format, CultureInfo.InvariantCulture);
        return written;
    }

    internal static int Put(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    internal static int PutBoolean(bool value, Span<byte> destination) => Put(value ? "true"u8 : "false"u8, destination);
}
