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
