namespace Vigil.Features;

/// <summary>Writes a record with its features: the JSON object, with <c>"features":{"name":value,…}</c> added as its last member.</summary>
/// <remarks>Unknown values (NaN: no customer or terminal to read) are written as null.</remarks>
public sealed class FeatureJson
{
    private readonly byte[][] _names;

    public FeatureJson(FeatureSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        _names = [.. set.Definitions.Select(d => System.Text.Encoding.UTF8.GetBytes($"\"{d.Name}\":"))];
        MaxAddedLength = ",\"features\":{}".Length + _names.Sum(n => n.Length + FeatureValues.MaxLength + 1);
    }

    /// <summary>Most bytes the features add to a record.</summary>
    public int MaxAddedLength { get; }

    /// <summary>Writes <paramref name="record"/> with the features into <paramref name="destination"/>; false when the record is not a JSON object.</summary>
    public bool TryWrite(ReadOnlySpan<byte> record, ReadOnlySpan<double> values, Span<byte> destination, out int written)
    {
        written = 0;
        var closing = record.LastIndexOf((byte)'}');
        if (closing < 0 || record.IndexOf((byte)'{') is var opening && opening < 0 || opening > closing)
        {
            return false;
        }

        var empty = record[(opening + 1)..closing].Trim(" \t\r\n"u8).IsEmpty;
        record[..closing].CopyTo(destination);
        var at = closing;
        if (!empty)
        {
            destination[at++] = (byte)',';
        }

        "\"features\":{"u8.CopyTo(destination[at..]);
        at += "\"features\":{"u8.Length;
        for (var i = 0; i < _names.Length; i++)
        {
            if (i > 0)
            {
                destination[at++] = (byte)',';
            }

            _names[i].CopyTo(destination[at..]);
            at += _names[i].Length;
            if (double.IsNaN(values[i]))
            {
                "null"u8.CopyTo(destination[at..]);
                at += 4;
            }
            else
            {
                at += FeatureValues.Write(values[i], destination[at..]);
            }
        }

        destination[at++] = (byte)'}';
        destination[at++] = (byte)'}';
        written = at;
        return true;
    }
}
