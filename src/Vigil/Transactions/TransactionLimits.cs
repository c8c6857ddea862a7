using System.Globalization;
using System.Text;

namespace Vigil.Transactions;

/// <summary>
/// What every entry point accepts as a transaction's values: the decoder (streams), dataset replay, <c>/v1/score</c>
/// and <c>/invocations</c> apply these same rules (docs/VALIDATION.md).
/// </summary>
public static class TransactionLimits
{
    /// <summary>The largest amount: what the feature windows keep to the cent (2³¹ − 1 cents).</summary>
    public const double MaxAmount = int.MaxValue / 100.0;

    /// <summary>The largest magnitude of a number given to a model (a record's field, a column of <c>/invocations</c>).</summary>
    public const double MaxInput = 1e15;

    /// <summary>The latest event time, in Unix milliseconds: 9999-12-31T23:59:59.999Z.</summary>
    public const long MaxUnixMilliseconds = 253_402_300_799_999;

    /// <summary>Why an amount is refused (finite, not negative, at most <see cref="MaxAmount"/>), or null.</summary>
    /// <param name="text">The amount as the input wrote it, for the reason.</param>
    public static DecodeFailure? CheckAmount(double amount, ReadOnlySpan<byte> text) =>
        !double.IsFinite(amount) ? new(DecodeError.AmountNotFinite, $"amount {Show(text)} is out of range")
        : amount < 0 ? new(DecodeError.AmountNegative, $"amount is negative ({Show(text)})")
        : amount > MaxAmount ? new(DecodeError.AmountTooLarge, $"amount {Show(text)} is over the largest accepted, {MaxAmount.ToString("N2", CultureInfo.InvariantCulture)}")
        : null;

    /// <summary>Why a number given to a model is refused (not finite, or larger than <see cref="MaxInput"/>), or null.</summary>
    public static string? CheckInput(double value) =>
        double.IsNaN(value) || Math.Abs(value) > MaxInput
            ? $"is out of range (a model takes numbers within ±{MaxInput.ToString("0e0", CultureInfo.InvariantCulture)})"
            : null;

    /// <summary>
    /// Reads a number written as text (a CSV cell): an optional minus, digits with an optional decimal point, an
    /// optional exponent. No spaces, plus sign, thousands separators, hexadecimal, NaN or infinity; the result is finite.
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var at = text.Length > 0 && text[0] == '-' ? 1 : 0;
        var digits = 0;
        var point = false;
        for (; at < text.Length; at++)
        {
            var b = text[at];
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                digits++;
            }
            else if (b == '.' && !point)
            {
                point = true;
            }
            else
            {
                break;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        if (at < text.Length && text[at] is (byte)'e' or (byte)'E')
        {
            at++;
            at += at < text.Length && text[at] is (byte)'+' or (byte)'-' ? 1 : 0;
            var exponent = at;
            while (at < text.Length && text[at] is >= (byte)'0' and <= (byte)'9')
            {
                at++;
            }

            if (at == exponent)
            {
                return false;
            }
        }

        return at == text.Length
            && double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    /// <summary>Reads a fraud label: 0 or 1 (also 0.0 and 1.0), or true or false in any case.</summary>
    public static bool TryParseFlag(ReadOnlySpan<byte> text, out bool fraud)
    {
        fraud = false;
        if (TryParseNumber(text, out var number))
        {
            fraud = number == 1;
            return number is 0 or 1;
        }

        if (Ascii.EqualsIgnoreCase(text, "true"u8))
        {
            fraud = true;
            return true;
        }

        return Ascii.EqualsIgnoreCase(text, "false"u8);
    }

    /// <summary>Reads a fraud scenario: a whole number from 0 (genuine) up.</summary>
    public static bool TryParseScenario(ReadOnlySpan<byte> text, out int scenario)
    {
        scenario = 0;
        return text.Length is > 0 and <= 9 && !text.ContainsAnyExceptInRange((byte)'0', (byte)'9')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out scenario);
    }

    /// <summary>An input's text for a reason (a log line, a header, a terminal): printable characters as they are, control characters and invalid bytes escaped, long text cut.</summary>
    public static string Show(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const int Longest = 64;
        var shown = new StringBuilder(Math.Min(text.Length, Longest) + 8);
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, Longest)))
        {
            shown.Append(char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD' ? $"\\u{(int)c:X4}" : c.ToString());
        }

        return text.Length > Longest ? shown.Append('…').ToString() : shown.ToString();
    }

    /// <summary>Input bytes for a reason: as <see cref="Show(string)"/> their UTF-8 text shows, each byte that is not UTF-8 as \xNN.</summary>
    public static string Show(ReadOnlySpan<byte> text)
    {
        if (System.Text.Unicode.Utf8.IsValid(text))
        {
            return Show(Encoding.UTF8.GetString(text));
        }

        const int Longest = 64;
        var shown = new StringBuilder(Math.Min(text.Length, Longest) + 8);
        foreach (var b in text[..Math.Min(text.Length, Longest)])
        {
            shown.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
        }

        return text.Length > Longest ? shown.Append('…').ToString() : shown.ToString();
    }
}
