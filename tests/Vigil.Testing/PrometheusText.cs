using System.Globalization;
using System.Text.RegularExpressions;

namespace Vigil.Testing;

/// <summary>
/// A scrape of <c>/metrics</c> parsed as Prometheus reads its text format: every sample line must parse (name, labels,
/// value), and every sample's family must have been declared by <c># TYPE</c>.
/// </summary>
public sealed partial class PrometheusText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);

    public PrometheusText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                _types[parts[2]] = parts[3];
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var match = Sample().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"not a Prometheus sample: {line}");
            }

            var name = match.Groups["name"].Value;
            var family = _types.Keys.FirstOrDefault(f => name == f || name == f + "_bucket" || name == f + "_sum" || name == f + "_count" || name == f + "_total")
                ?? throw new FormatException($"{name} has no # TYPE line before it");
            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(l => l.Groups["key"].Value, l => l.Groups["value"].Value, StringComparer.Ordinal);
            var value = match.Groups["value"].Value switch
            {
                "NaN" => double.NaN,
                "+Inf" => double.PositiveInfinity,
                var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            _samples.Add((name, labels, value));
            _ = family;
        }
    }

    public IReadOnlyDictionary<string, string> Types => _types;

    /// <summary>The samples named <paramref name="name"/> whose labels include those given (KEY=VALUE).</summary>
    public IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)> Samples(string name, params string[] labels) =>
        [.. _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l[..l.IndexOf('=', StringComparison.Ordinal)], out var v) && v == l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]))
            .Select(s => ((IReadOnlyDictionary<string, string>)s.Labels, s.Value))];

    /// <summary>The one sample named so with those labels; fails when there is none or more than one.</summary>
    public double Value(string name, params string[] labels) => Samples(name, labels) switch
    {
        [var one] => one.Value,
        var many => throw new InvalidOperationException($"{many.Count} samples of {name}{{{string.Join(',', labels)}}}"),
    };

    /// <summary>The sample's value, or null when there is none.</summary>
    public double? Find(string name, params string[] labels) => Samples(name, labels) is [var one] ? one.Value : null;

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)""")]
    private static partial Regex Label();
}
