using System.Buffers.Binary;

namespace Vigil.Avro.Wire;

/// <summary>Reads Avro's binary encoding from a span; every read checks the bytes left, and a broken record throws <see cref="AvroDataException"/>.</summary>
internal ref struct AvroReader(ReadOnlySpan<byte> data, int position)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; } = position;

    public readonly bool AtEnd => Position == _data.Length;

    /// <summary>A zig-zag varint of at most 10 bytes (int and long alike).</summary>
    public long ReadLong()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Next();
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (long)(value >> 1) ^ -(long)(value & 1);
            }
        }

        throw new AvroDataException("a number runs over ten bytes");
    }

    public int ReadInt()
    {
        var value = ReadLong();
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new AvroDataException($"an int of {value} is out of range");
    }

    public bool ReadBoolean() => Next() switch
    {
        0 => false,
        1 => true,
        var b => throw new AvroDataException($"a boolean of byte {b}"),
    };

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(sizeof(float)));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(sizeof(double)));

    /// <summary>Bytes or a string: where its content starts, and its length.</summary>
    public (int Start, int Length) ReadBytes()
    {
        var length = ReadLong();
        if (length < 0 || length > _data.Length - Position)
        {
            throw new AvroDataException($"a length of {length} runs past the record's end");
        }

        var start = Position;
        Position += (int)length;
        return (start, (int)length);
    }

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - Position)
        {
            throw new AvroDataException("the record ends inside a value");
        }

        var taken = _data.Slice(Position, count);
        Position += count;
        return taken;
    }

    /// <summary>A union's branch index, checked against its branch count.</summary>
    public int ReadBranch(int branches)
    {
        var index = ReadLong();
        return index >= 0 && index < branches ? (int)index : throw new AvroDataException($"a union branch {index} of {branches}");
    }

    /// <summary>
    /// The item count of an array's or map's next block (0 at the end); a negative count is followed by the block's
    /// size in bytes, read and not needed.
    /// </summary>
    public long ReadBlockCount()
    {
        var count = ReadLong();
        if (count < 0)
        {
            count = -count;
            ReadLong();
        }

        // Each item takes at least a byte, except nulls: a count far past the bytes left is a broken record.
        return count <= _data.Length - Position + 1_000_000 ? count : throw new AvroDataException($"a block of {count} items");
    }

    private byte Next() => Position < _data.Length ? _data[Position++] : throw new AvroDataException("the record ends inside a value");
}
