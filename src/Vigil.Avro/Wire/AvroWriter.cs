using System.Buffers.Binary;

namespace Vigil.Avro.Wire;

/// <summary>Writes Avro's binary encoding into a span the caller sized; returns the bytes written.</summary>
internal static class AvroWriter
{
    public static int Long(long value, Span<byte> destination)
    {
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        var at = 0;
        while (zigzag >= 0x80)
        {
            destination[at++] = (byte)(zigzag | 0x80);
            zigzag >>= 7;
        }

        destination[at++] = (byte)zigzag;
        return at;
    }

    public static int Boolean(bool value, Span<byte> destination)
    {
        destination[0] = value ? (byte)1 : (byte)0;
        return 1;
    }

    public static int Double(double value, Span<byte> destination)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(destination, value);
        return sizeof(double);
    }

    public static int String(ReadOnlySpan<byte> utf8, Span<byte> destination)
    {
        var at = Long(utf8.Length, destination);
        utf8.CopyTo(destination[at..]);
        return at + utf8.Length;
    }

    /// <summary>A <c>["null", T]</c> union holding null.</summary>
    public static int Null(Span<byte> destination) => Long(0, destination);

    /// <summary>A <c>["null", "long"]</c> (or int, or timestamp) union.</summary>
    public static int OptionalLong(long? value, Span<byte> destination)
    {
        if (value is not { } present)
        {
            return Null(destination);
        }

        var at = Long(1, destination);
        return at + Long(present, destination[at..]);
    }

    /// <summary>A <c>["null", "double"]</c> union.</summary>
    public static int OptionalDouble(double? value, Span<byte> destination)
    {
        if (value is not { } present)
        {
            return Null(destination);
        }

        var at = Long(1, destination);
        return at + Double(present, destination[at..]);
    }
}
