using Vigil.Transactions;

namespace Vigil.Features;

/// <summary>
/// Writes a record with its features: the JSON object, with <c>"features":{"name":value,…}</c> added, and the record
/// of a joined stream as <c>"identity":{…}</c> (or null) where there is a join.
/// </summary>
/// <remarks>Unknown values (NaN: no customer or terminal to read) are written as null.</remarks>
public sealed class FeatureJson
{
    private readonly byte[][] _names;

    public FeatureJson(FeatureSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        Set = set;
        _names = [.. set.Definitions.Select(d => System.Text.Encoding.UTF8.GetBytes($"\"{d.Name}\":"))];
        MaxAddedLength = ",\"features\":{}".Length + _names.Sum(n => n.Length + FeatureValues.MaxLength + 1);

        // The bare names side by side, for a decoded transaction's feature fields to point into.
        var names = new List<byte>();
        var fields = new Utf8Field[set.Count];
        for (var i = 0; i < set.Count; i++)
        {
            var name = System.Text.Encoding.UTF8.GetBytes(set.Definitions[i].Name);
            fields[i] = new Utf8Field(names.Count, name.Length, IsEscaped: false, IsNumber: false);
            names.AddRange(name);
        }

        NamesUtf8 = names.ToArray();
        NameFields = fields;
    }

    public FeatureSet Set { get; }

    /// <summary>The features' names in UTF-8, one after the other; <see cref="NameFields"/> say where each is.</summary>
    internal ReadOnlyMemory<byte> NamesUtf8 { get; }

    internal IReadOnlyList<Utf8Field> NameFields { get; }

    /// <summary>Most bytes the features add to a record.</summary>
    public int MaxAddedLength { get; }

    /// <summary>Bytes the joined record adds: its own and the member's name.</summary>
    public static int JoinedLength(int recordLength) => ",\"identity\":".Length + Math.Max(recordLength, 4);

    /// <summary>
    /// Writes <paramref name="record"/> with the features into <paramref name="destination"/>, and with <paramref name="joined"/>
    /// when <paramref name="join"/> is set (empty: null); false when the record is not a JSON object.
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> record, ReadOnlySpan<double> values, Span<byte> destination, out int written, bool join = false, ReadOnlySpan<byte> joined = default)
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

        at += WriteMember(values, destination[at..]);
        if (join)
        {
            ",\"identity\":"u8.CopyTo(destination[at..]);
            at += ",\"identity\":"u8.Length;
            var member = joined.IsEmpty ? "null"u8 : joined;
            member.CopyTo(destination[at..]);
            at += member.Length;
        }

        destination[at++] = (byte)'}';
        written = at;
        return true;
    }

    /// <summary>Writes <c>"features":{"name":value,…}</c> (at most <see cref="MaxAddedLength"/> bytes); NaN is written as null.</summary>
    public int WriteMember(ReadOnlySpan<double> values, Span<byte> destination)
    {
        "\"features\":{"u8.CopyTo(destination);
        var at = "\"features\":{"u8.Length;
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
        return at;
    }
}
