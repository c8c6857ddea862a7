namespace Vigil.Features;

/// <summary>An ordered list of declared features, computed together by one <see cref="FeatureEngine"/>.</summary>
public sealed class FeatureSet
{
    public const string VigilName = "vigil";
    public const string HandbookName = "handbook";
    public const string NoneName = "none";

    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private static readonly int[] HandbookWindowDays = [1, 7, 30];

    /// <summary>The delay the handbook's terminal features leave for fraud to be reported.</summary>
    public static readonly TimeSpan HandbookDelay = TimeSpan.FromDays(7);

    private readonly Dictionary<string, int> _index;

    public FeatureSet(string name, IReadOnlyList<FeatureDefinition> definitions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(definitions);
        Name = name;
        Definitions = [.. definitions];
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Definitions.Count; i++)
        {
            if (!_index.TryAdd(Definitions[i].Name, i))
            {
                throw new ArgumentException($"feature {Definitions[i].Name} is declared twice");
            }
        }
    }

    public string Name { get; }

    public IReadOnlyList<FeatureDefinition> Definitions { get; }

    public int Count => Definitions.Count;

    public bool IsEmpty => Definitions.Count == 0;

    public static FeatureSet None { get; } = new(NoneName, []);

    /// <summary>
    /// Vigil's default: time features, the customer's count, mean and largest amount over 1, 7 and 30 days, the
    /// terminal's count and fraud risk over 1, 7 and 30 days ending 7 days ago, and two velocity signals.
    /// </summary>
    public static FeatureSet Vigil { get; } = new(VigilName,
    [
        FeatureDefinition.Transaction("tx_amount", FeatureAggregate.Amount),
        FeatureDefinition.Transaction("tx_during_weekend", FeatureAggregate.Weekend),
        FeatureDefinition.Transaction("tx_during_night", FeatureAggregate.Night),
        FeatureDefinition.Transaction("tx_hour", FeatureAggregate.Hour),
        FeatureDefinition.Transaction("tx_day_of_week", FeatureAggregate.DayOfWeek),
        .. Days(n => [
            FeatureDefinition.Windowed($"customer_nb_tx_{n}d", FeatureAggregate.Count, FeatureEntity.Customer, n * Day),
            FeatureDefinition.Windowed($"customer_avg_amount_{n}d", FeatureAggregate.AverageAmount, FeatureEntity.Customer, n * Day),
            FeatureDefinition.Windowed($"customer_max_amount_{n}d", FeatureAggregate.MaxAmount, FeatureEntity.Customer, n * Day),
        ]),
        .. Days(n => [
            FeatureDefinition.Windowed($"terminal_nb_tx_{n}d", FeatureAggregate.Count, FeatureEntity.Terminal, n * Day, HandbookDelay),
            FeatureDefinition.Windowed($"terminal_risk_{n}d", FeatureAggregate.Risk, FeatureEntity.Terminal, n * Day, HandbookDelay),
        ]),
        FeatureDefinition.Windowed("customer_nb_terminals_1d", FeatureAggregate.DistinctCounterparties, FeatureEntity.Customer, Day),
        FeatureDefinition.Windowed("terminal_same_amount_customers_1d", FeatureAggregate.SameAmountCounterparties, FeatureEntity.Terminal, Day),
    ]);

    /// <summary>The Fraud Detection Handbook's 14 features, under its own column names and in its files' order.</summary>
    public static FeatureSet Handbook { get; } = new(HandbookName,
    [
        FeatureDefinition.Transaction("TX_DURING_WEEKEND", FeatureAggregate.Weekend),
        FeatureDefinition.Transaction("TX_DURING_NIGHT", FeatureAggregate.Night),
        .. Days(n => [
            FeatureDefinition.Windowed($"CUSTOMER_ID_NB_TX_{n}DAY_WINDOW", FeatureAggregate.Count, FeatureEntity.Customer, n * Day),
            FeatureDefinition.Windowed($"CUSTOMER_ID_AVG_AMOUNT_{n}DAY_WINDOW", FeatureAggregate.AverageAmount, FeatureEntity.Customer, n * Day),
        ]),
        .. Days(n => [
            FeatureDefinition.Windowed($"TERMINAL_ID_NB_TX_{n}DAY_WINDOW", FeatureAggregate.Count, FeatureEntity.Terminal, n * Day, HandbookDelay),
            FeatureDefinition.Windowed($"TERMINAL_ID_RISK_{n}DAY_WINDOW", FeatureAggregate.Risk, FeatureEntity.Terminal, n * Day, HandbookDelay),
        ]),
    ]);

    /// <summary>A built-in set by name, extended by declared features (<see cref="FeatureDefinition.Parse"/>).</summary>
    public static FeatureSet Create(string name, IEnumerable<string>? extra = null)
    {
        var builtIn = name switch
        {
            VigilName => Vigil,
            HandbookName => Handbook,
            NoneName => None,
            _ => throw new FormatException($"unknown feature set '{name}' (one of {VigilName}, {HandbookName}, {NoneName})"),
        };
        var declared = (extra ?? []).Where(s => !string.IsNullOrWhiteSpace(s)).Select(FeatureDefinition.Parse).ToList();
        if (declared.Count == 0)
        {
            return builtIn;
        }

        try
        {
            return new FeatureSet(builtIn.IsEmpty ? "custom" : $"{name}+custom", [.. builtIn.Definitions, .. declared]);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>The position of a feature in the computed values, or -1.</summary>
    /// <summary>This set with the definitions it lacks appended (a model's features); a name defined otherwise here is an error.</summary>
    public FeatureSet Including(IEnumerable<FeatureDefinition> more)
    {
        ArgumentNullException.ThrowIfNull(more);
        var definitions = Definitions.ToList();
        foreach (var definition in more)
        {
            var at = IndexOf(definition.Name);
            if (at < 0)
            {
                definitions.Add(definition);
            }
            else if (Definitions[at] != definition)
            {
                throw new ArgumentException($"feature {definition.Name} is '{Definitions[at]}' here but '{definition}' in the model");
            }
        }

        return definitions.Count == Count ? this : new FeatureSet(Name, definitions.DistinctBy(d => d.Name).ToList());
    }

    public int IndexOf(string name) => _index.GetValueOrDefault(name, -1);

    /// <summary>The longest window plus delay: an entity idle this long has nothing left in any window.</summary>
    public TimeSpan Horizon => Definitions.Count == 0 ? TimeSpan.Zero : Definitions.Max(d => d.Horizon);

    /// <summary>Whether a feature reads fraud labels (and so needs the labels stream).</summary>
    public bool ReadsLabels => Definitions.Any(d => d.Aggregate == FeatureAggregate.Risk);

    private static IEnumerable<FeatureDefinition> Days(Func<int, FeatureDefinition[]> features) => HandbookWindowDays.SelectMany(features);
}
