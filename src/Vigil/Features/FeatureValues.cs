using System.Buffers.Text;
using System.Globalization;

namespace Vigil.Features;

/// <summary>Writes feature values as text: whole numbers without a fraction, others in the shortest text that reads back exactly, NaN (unknown) as nothing.</summary>
public static class FeatureValues
{
    /// <summary>Longest text a value may take.</summary>
    public const int MaxLength = 32;

    /// <summary>Below this, a value on the cents grid is written from its cents: its text then is the shortest that reads back.</summary>
    private const double MaxCents = 1e13;

    public static int Write(double value, Span<byte> destination)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }

        if (destination.Length < MaxLength)
        {
            throw new ArgumentException($"A feature value needs up to {MaxLength} bytes.", nameof(destination));
        }

        if (value == Math.Floor(value) && Math.Abs(value) < 1e15)
        {
            Utf8Formatter.TryFormat((long)value, destination, out var whole);
            return whole;
        }

        // Amounts and their sums are whole cents. Such a value is the double nearest to its two-decimal text (the
        // division is exact up to rounding), and no shorter text is within half a unit of it at these magnitudes, so
        // this writes what the shortest round-trip format would, at a fraction of its cost.
        var cents = Math.Round(value * 100);
        if (Math.Abs(cents) < MaxCents && cents / 100 == value)
        {
            return WriteCents((long)cents, destination);
        }

        value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture); // the shortest text that reads back exactly
        return written;
    }

    /// <summary>Writes a value given in cents, not a whole number, as <c>-W.F</c> or <c>-W.FF</c>.</summary>
    private static int WriteCents(long cents, Span<byte> destination)
    {
        var at = 0;
        if (cents < 0)
        {
            destination[at++] = (byte)'-';
            cents = -cents;
        }

        Utf8Formatter.TryFormat(cents / 100, destination[at..], out var whole);
        at += whole;
        var fraction = (int)(cents % 100);
        destination[at++] = (byte)'.';
        destination[at++] = (byte)('0' + (fraction / 10));
        if (fraction % 10 != 0)
        {
            destination[at++] = (byte)('0' + (fraction % 10));
        }

        return at;
    }
}
