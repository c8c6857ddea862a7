using System.Globalization;

namespace Vigil.Cli.Configuration;

/// <summary>Reads typed settings and turns a bad value into a <see cref="UsageException"/> that names its origin.</summary>
public sealed class SettingReader(LayeredConfiguration configuration)
{
    private const NumberStyles Decimal = NumberStyles.Float;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private delegate bool TryParse<T>(string raw, out T value);

    public string Text(string key, string fallback) =>
        Parse(key, fallback, (string raw, out string value) => !string.IsNullOrWhiteSpace(value = raw), "a non-empty value");

    public string? OptionalText(string key) => Parse<string?>(key, null, (string raw, out string? value) => (value = raw).Length > 0, "a value");

    public double Number(string key, double fallback, double min, double max, string expectation) =>
        Parse(key, fallback, (string raw, out double value) => double.TryParse(raw, Decimal, Invariant, out value) && value >= min && value <= max, expectation);

    public int WholeNumber(string key, int fallback, int min, int max) =>
        Parse(key, fallback, (string raw, out int value) => int.TryParse(raw, NumberStyles.Integer, Invariant, out value) && value >= min && value <= max,
            $"a whole number from {min.ToString("N0", Invariant)} to {max.ToString("N0", Invariant)}");

    public long? OptionalCount(string key, string expectation) =>
        Parse<long?>(key, null, (string raw, out long? value) =>
        {
            var ok = long.TryParse(raw, NumberStyles.Integer, Invariant, out var count) && count > 0;
            value = count;
            return ok;
        }, expectation);

    public ulong? OptionalSeed(string key) =>
        Parse<ulong?>(key, null, (string raw, out ulong? value) =>
        {
            var ok = ulong.TryParse(raw, NumberStyles.Integer, Invariant, out var seed);
            value = seed;
            return ok;
        }, "a whole number from 0 to 18446744073709551615");

    /// <summary>A comma-separated list of names (empty when not set).</summary>
    public IReadOnlyList<string> List(string key) =>
        Parse<IReadOnlyList<string>>(key, [], (string raw, out IReadOnlyList<string> value) =>
        {
            value = raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return value.Count > 0;
        }, "a comma-separated list of names");

    public bool Flag(string key, bool fallback) =>
        Parse(key, fallback, (string raw, out bool value) => bool.TryParse(raw, out value), "true or false");

    /// <summary>A rate in records per second, or null for <c>max</c> (no limit).</summary>
    public double? Rate(string key, double fallback) =>
        Parse<double?>(key, fallback, (string raw, out double? value) =>
        {
            value = null;
            if (string.Equals(raw, "max", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var ok = double.TryParse(raw, Decimal, Invariant, out var rate) && double.IsFinite(rate) && rate > 0;
            value = rate;
            return ok;
        }, "a positive number of transactions per second, or 'max'");

    /// <summary>A duration in seconds, or null when not set.</summary>
    public TimeSpan? OptionalSeconds(string key) =>
        Parse<TimeSpan?>(key, null, (string raw, out TimeSpan? value) =>
        {
            var ok = double.TryParse(raw, Decimal, Invariant, out var seconds) && double.IsFinite(seconds) && seconds > 0 && seconds < 1e9;
            value = ok ? TimeSpan.FromSeconds(seconds) : null;
            return ok;
        }, "a positive number of seconds");

    /// <summary>One of an enum's values, written in any case (<c>simulator</c>, <c>seed</c>).</summary>
    public TEnum Choice<TEnum>(string key, TEnum fallback)
        where TEnum : struct, Enum =>
        Parse(key, fallback, (string raw, out TEnum value) => Enum.TryParse(raw, ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(raw, out _),
            Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()).ToList() switch
            {
                [var one] => one,
                [var first, var second] => $"{first} or {second}",
                var all => "one of " + string.Join(", ", all),
            });

    /// <summary>A calendar date, <c>YYYY-MM-DD</c>.</summary>
    public DateOnly Date(string key, DateOnly fallback) =>
        Parse(key, fallback, (string raw, out DateOnly value) => DateOnly.TryParseExact(raw, "yyyy-MM-dd", Invariant, DateTimeStyles.None, out value),
            "a date such as 2018-04-01");

    /// <summary>A duration with its unit: <c>7d</c>, <c>36h</c>, <c>90m</c>, <c>30s</c>, or <c>0</c>.</summary>
    public TimeSpan Duration(string key, TimeSpan fallback) =>
        Parse(key, fallback, (string raw, out TimeSpan value) => TryDuration(raw, out value), "a duration such as 7d, 36h, 90m, 30s or 0");

    /// <summary>A whole number of days, or null for <c>none</c> (no end).</summary>
    public int? DaysOrNone(string key, int? fallback) =>
        Parse(key, fallback, (string raw, out int? value) =>
        {
            value = null;
            if (string.Equals(raw, "none", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var ok = int.TryParse(raw, NumberStyles.Integer, Invariant, out var days) && days is > 0 and <= 1_000_000;
            value = days;
            return ok;
        }, "a whole number of days from 1 to 1,000,000, or 'none' for no end");

    /// <summary>An event-time speed: a factor such as 3600 (an hour a second), or <c>realtime</c> (1); null when not set.</summary>
    public double? OptionalSpeed(string key) =>
        Parse<double?>(key, null, (string raw, out double? value) =>
        {
            value = 1;
            if (string.Equals(raw, "realtime", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var ok = double.TryParse(raw.TrimEnd('x', 'X'), Decimal, Invariant, out var speed) && double.IsFinite(speed) && speed > 0;
            value = speed;
            return ok;
        }, "'realtime' or a factor such as 3600 (an hour of event time per second)");

    private static bool TryDuration(string raw, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (raw == "0")
        {
            return true;
        }

        if (raw.Length < 2 || !double.TryParse(raw[..^1], Decimal, Invariant, out var amount) || !double.IsFinite(amount) || amount < 0 || amount > 1e6)
        {
            return false;
        }

        double? seconds = char.ToLowerInvariant(raw[^1]) switch
        {
            'd' => amount * 86_400,
            'h' => amount * 3_600,
            'm' => amount * 60,
            's' => amount,
            _ => null,
        };
        value = seconds is { } s ? TimeSpan.FromSeconds(s) : TimeSpan.Zero;
        return seconds is not null;
    }

    private T Parse<T>(string key, T fallback, TryParse<T> parse, string expectation)
    {
        var raw = configuration[key]?.Trim();
        if (raw is null)
        {
            return fallback;
        }

        return parse(raw, out var value) ? value : throw new UsageException($"invalid {configuration.Origin(key)} '{raw}': expected {expectation}");
    }
}
