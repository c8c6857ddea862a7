using System.Globalization;

namespace Vigil.Features;

/// <summary>Writes feature values as text: whole numbers without a fraction, others in the shortest text that reads back exactly, NaN (unknown) as nothing.</summary>
public static class FeatureValues
{
    /// <summary>Longest text a value may take.</summary>
    public const int MaxLength = 32;

    public static int Write(double value, Span<byte> destination)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }

        var written = 0;
        var ok = value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).TryFormat(destination, out written, default, CultureInfo.InvariantCulture)
            : value.TryFormat(destination, out written, default, CultureInfo.InvariantCulture); // the shortest text that reads back exactly
        return ok ? written : throw new ArgumentException($"A feature value needs up to {MaxLength} bytes.", nameof(destination));
    }
}
