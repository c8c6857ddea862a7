namespace Vigil.Simulation.Records;

/// <summary>Amounts in cents written as decimal text the way Python's <c>json.dumps</c> writes them (254.83, 254.8, 1000.0).</summary>
public static class Cents
{
    /// <summary>The longest text <see cref="Write"/> produces.</summary>
    public const int MaxLength = 24;

    public static int Write(long cents, Span<byte> destination)
    {
        var at = 0;
        if (cents < 0)
        {
            destination[at++] = (byte)'-';
            cents = -cents;
        }

        var whole = cents / 100;
        var fraction = (int)(cents % 100);
        whole.TryFormat(destination[at..], out var digits);
        at += digits;
        destination[at++] = (byte)'.';
        destination[at++] = (byte)('0' + (fraction / 10));
        if (fraction % 10 != 0)
        {
            destination[at++] = (byte)('0' + (fraction % 10));
        }

        return at;
    }
}
