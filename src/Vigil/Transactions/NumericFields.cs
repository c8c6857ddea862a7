namespace Vigil.Transactions;

/// <summary>The extra numeric fields of a transaction (e.g. V1..V28), kept for models.</summary>
/// <remarks>Grows to the widest record seen and is then reused, so decoding does not allocate.</remarks>
public sealed class NumericFields
{
    private Utf8Field[] _names = new Utf8Field[32];
    private double[] _values = new double[32];
    private ReadOnlyMemory<byte> _utf8;

    public int Count { get; private set; }

    public double this[int index] => _values[index];

    /// <summary>The values, in the order they were read.</summary>
    public ReadOnlySpan<double> Values => _values.AsSpan(0, Count);

    /// <summary>The raw (possibly escaped) UTF-8 name of field <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> NameUtf8(int index) => _utf8.Span.Slice(_names[index].Start, _names[index].Length);

    public string Name(int index) => Utf8Text.Decode(_utf8.Span, _names[index]);

    /// <summary>Looks a field up by its UTF-8 name; linear, for the few lookups a model needs.</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8Name, out double value)
    {
        var text = _utf8.Span;
        for (var i = 0; i < Count; i++)
        {
            if (text.Slice(_names[i].Start, _names[i].Length).SequenceEqual(utf8Name))
            {
                value = _values[i];
                return true;
            }
        }

        value = 0;
        return false;
    }

    internal void Reset(ReadOnlyMemory<byte> utf8)
    {
        _utf8 = utf8;
        Count = 0;
    }

    internal void Add(Utf8Field name, double value)
    {
        if (Count == _names.Length)
        {
            Array.Resize(ref _names, Count * 2);
            Array.Resize(ref _values, Count * 2);
        }

        _names[Count] = name;
        _values[Count] = value;
        Count++;
    }
}
