using System.Globalization;
using System.Text.RegularExpressions;

namespace Vigil.Features;

/// <summary>One declared feature: a name, what it aggregates, over whose history, over which window, and how long ago that window ends.</summary>
/// <remarks>
/// Written as <c>name = aggregate(entity, window[, delay D])</c>, e.g. <c>terminal_risk_7d = risk(terminal, 7d, delay 7d)</c>:
/// the terminal's transactions in (t − 14d, t − 7d], of which the share with a fraud label. Without a delay a window is
/// (t − window, t] and holds the current transaction. Transaction features have no arguments: <c>tx_hour = hour</c>.
/// </remarks>
public sealed partial record FeatureDefinition(string Name, FeatureAggregate Aggregate, FeatureEntity Entity, TimeSpan Window, TimeSpan Delay)
{
    private static readonly (string Text, FeatureAggregate Aggregate)[] Aggregates =
    [
        ("amount", FeatureAggregate.Amount), ("weekend", FeatureAggregate.Weekend), ("night", FeatureAggregate.Night),
        ("hour", FeatureAggregate.Hour), ("day_of_week", FeatureAggregate.DayOfWeek), ("count", FeatureAggregate.Count),
        ("avg_amount", FeatureAggregate.AverageAmount), ("max_amount", FeatureAggregate.MaxAmount), ("sum_amount", FeatureAggregate.SumAmount),
        ("risk", FeatureAggregate.Risk), ("distinct_counterparties", FeatureAggregate.DistinctCounterparties),
        ("same_amount_counterparties", FeatureAggregate.SameAmountCounterparties),
    ];

    /// <summary>Whether the feature reads an entity's history (a window), rather than the transaction alone.</summary>
    public bool IsWindowed => Entity != FeatureEntity.Transaction;

    /// <summary>How far back the feature reads: window plus delay.</summary>
    public TimeSpan Horizon => Window + Delay;

    public static FeatureDefinition Transaction(string name, FeatureAggregate aggregate) =>
        Validated(new FeatureDefinition(name, aggregate, FeatureEntity.Transaction, TimeSpan.Zero, TimeSpan.Zero));

    public static FeatureDefinition Windowed(string name, FeatureAggregate aggregate, FeatureEntity entity, TimeSpan window, TimeSpan delay = default) =>
        Validated(new FeatureDefinition(name, aggregate, entity, window, delay));

    /// <summary>Reads <c>name = aggregate(entity, window[, delay D])</c>; the message of a <see cref="FormatException"/> says what is wrong.</summary>
    public static FeatureDefinition Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Syntax().Match(text);
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not a feature: write name = aggregate(entity, window[, delay D]), e.g. customer_nb_tx_7d = count(customer, 7d)");
        }

        var name = match.Groups["name"].Value;
        var aggregateText = match.Groups["aggregate"].Value;
        var aggregate = Array.Find(Aggregates, a => a.Text == aggregateText);
        if (aggregate.Text is null)
        {
            throw new FormatException($"feature {name}: unknown aggregate '{aggregateText}' (one of {string.Join(", ", Aggregates.Select(a => a.Text))})");
        }

        if (!match.Groups["args"].Success)
        {
            return Wrap(name, () => Transaction(name, aggregate.Aggregate));
        }

        var entity = match.Groups["entity"].Value switch
        {
            "customer" => FeatureEntity.Customer,
            "terminal" => FeatureEntity.Terminal,
            var other => throw new FormatException($"feature {name}: unknown entity '{other}' (customer or terminal)"),
        };
        var window = Duration(name, match.Groups["window"].Value);
        var delay = match.Groups["delay"].Success ? Duration(name, match.Groups["delay"].Value) : TimeSpan.Zero;
        return Wrap(name, () => Windowed(name, aggregate.Aggregate, entity, window, delay));
    }

    public override string ToString()
    {
        var aggregate = Array.Find(Aggregates, a => a.Aggregate == Aggregate).Text;
        if (!IsWindowed)
        {
            return $"{Name} = {aggregate}";
        }

        var delay = Delay > TimeSpan.Zero ? $", delay {Format(Delay)}" : string.Empty;
        return $"{Name} = {aggregate}({Entity.ToString().ToLowerInvariant()}, {Format(Window)}{delay})";
    }

    /// <summary>A duration such as <c>30d</c>, <c>24h</c>, <c>15m</c> or <c>90s</c>.</summary>
    public static string Format(TimeSpan duration) =>
        duration.TotalDays == Math.Floor(duration.TotalDays) && duration.TotalDays >= 1 ? $"{duration.TotalDays.ToString(CultureInfo.InvariantCulture)}d"
        : duration.TotalHours == Math.Floor(duration.TotalHours) && duration.TotalHours >= 1 ? $"{duration.TotalHours.ToString(CultureInfo.InvariantCulture)}h"
        : duration.TotalMinutes == Math.Floor(duration.TotalMinutes) && duration.TotalMinutes >= 1 ? $"{duration.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m"
        : $"{duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";

    private static FeatureDefinition Validated(FeatureDefinition feature)
    {
        if (!NameSyntax().IsMatch(feature.Name))
        {
            throw new ArgumentException($"'{feature.Name}' is not a feature name: letters, digits and _, starting with a letter");
        }

        var windowed = feature.Aggregate is >= FeatureAggregate.Count;
        if (windowed != feature.IsWindowed)
        {
            throw new ArgumentException(windowed
                ? $"feature {feature.Name}: {feature.Aggregate} reads a history; give it an entity and a window"
                : $"feature {feature.Name}: {feature.Aggregate} is a property of the transaction and takes no entity or window");
        }

        if (feature.IsWindowed && (feature.Window.TotalSeconds < 1 || feature.Window.TotalSeconds != Math.Floor(feature.Window.TotalSeconds)))
        {
            throw new ArgumentException($"feature {feature.Name}: the window is a whole number of seconds, at least 1s");
        }

        if (feature.Delay < TimeSpan.Zero || feature.Delay.TotalSeconds != Math.Floor(feature.Delay.TotalSeconds))
        {
            throw new ArgumentException($"feature {feature.Name}: the delay is a whole number of seconds, 0 or more");
        }

        if (feature.Delay > TimeSpan.Zero && feature.Aggregate is FeatureAggregate.MaxAmount or FeatureAggregate.DistinctCounterparties or FeatureAggregate.SameAmountCounterparties)
        {
            throw new ArgumentException($"feature {feature.Name}: {feature.Aggregate} reads windows that end now; it takes no delay");
        }

        if (feature.Horizon > TimeSpan.FromDays(3650))
        {
            throw new ArgumentException($"feature {feature.Name}: window plus delay is at most 3650d");
        }

        return feature;
    }

    private static FeatureDefinition Wrap(string name, Func<FeatureDefinition> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message.StartsWith("feature ", StringComparison.Ordinal) ? e.Message : $"feature {name}: {e.Message}", e);
        }
    }

    private static TimeSpan Duration(string feature, string text)
    {
        var unit = text[^1];
        if (!long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 100_000_000)
        {
            throw new FormatException($"feature {feature}: '{text}' is not a duration such as 30d, 24h, 15m or 90s");
        }

        return unit switch
        {
            'd' => TimeSpan.FromDays(amount),
            'h' => TimeSpan.FromHours(amount),
            'm' => TimeSpan.FromMinutes(amount),
            _ => TimeSpan.FromSeconds(amount),
        };
    }

    [GeneratedRegex(@"^\s*(?<name>\w+)\s*=\s*(?<aggregate>[a-z_]+)\s*(\(\s*(?<args>(?<entity>[a-z]+)\s*,\s*(?<window>\d+[dhms])\s*(,\s*delay\s+(?<delay>\d+[dhms])\s*)?)\))?\s*$")]
    private static partial Regex Syntax();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex NameSyntax();
}
