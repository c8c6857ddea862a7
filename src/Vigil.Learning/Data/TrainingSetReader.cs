using Vigil.Features;
using Vigil.Models;
using Vigil.Simulation.Datasets;
using Vigil.Simulation.Datasets.Replay;
using Vigil.Transactions;

namespace Vigil.Learning.Data;

/// <summary>
/// Reads a dataset into a <see cref="TrainingSet"/>: features computed by the pipeline's own <see cref="FeatureEngine"/>
/// (labels released after the same delay as on the stream), then mapped to model inputs by <see cref="ModelInputs"/>,
/// so that training and serving see the same values.
/// </summary>
/// <remarks>The counters may be read from another thread for progress.</remarks>
public sealed class TrainingSetReader(ReplaySource source, FeatureSet features, TimeSpan labelDelay)
{
    private readonly FeatureDataset _dataset = new(source, features, labelDelay);

    /// <summary>Rows read so far.</summary>
    public long Rows => _dataset.Rows;

    /// <summary>Rows of the file in all, as counted when it was opened.</summary>
    public long Total => source.Rows;

    /// <summary>
    /// The inputs a model gets by default: every feature of the set, then <c>amount</c> unless a feature already is the
    /// amount, then how the amount compares with the customer's usual amounts (where the set has them), then the
    /// record's own numeric columns (the ULB file's V1..V28).
    /// </summary>
    public IReadOnlyList<string> DefaultInputs()
    {
        var inputs = FeatureInputs(features);
        var mapped = source.Mapping;
        var known = new HashSet<string>(ColumnMapping.Fields.Select(f => mapped[f]).OfType<string>().Concat(mapped.Ignored), StringComparer.Ordinal);
        inputs.AddRange(source.Header.Where(column => !known.Contains(column) && !inputs.Contains(column)));
        return inputs;
    }

    /// <summary>
    /// The inputs a model gets from a feature set: every feature, then <c>amount</c> unless a feature already is the
    /// amount, then how the amount compares with the customer's usual amounts (where the set has them).
    /// </summary>
    public static List<string> FeatureInputs(FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var inputs = features.Definitions.Select(d => d.Name).ToList();
        if (!features.Definitions.Any(d => d.Aggregate == FeatureAggregate.Amount))
        {
            inputs.Add(ModelInputs.Amount);
        }

        var amount = features.Definitions.FirstOrDefault(d => d.Aggregate == FeatureAggregate.Amount)?.Name ?? ModelInputs.Amount;
        inputs.AddRange(features.Definitions
            .Where(d => d.Entity == FeatureEntity.Customer && d.Aggregate is FeatureAggregate.AverageAmount or FeatureAggregate.MaxAmount)
            .Select(d => $"{amount}/{d.Name}"));
        return inputs;
    }

    /// <summary>Reads every row; a file without labels cannot train or be evaluated.</summary>
    /// <exception cref="DatasetException">The file has no labels or no rows.</exception>
    public TrainingSet Read(IReadOnlyList<string> inputs, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!source.HasLabels)
        {
            throw new DatasetException($"{Path.GetFileName(source.Path)} has no label column: map one with --columns fraud=COLUMN");
        }

        var map = new ModelInputs(inputs, features);
        var values = new List<double>(capacity: (int)Math.Min(int.MaxValue / 2, source.Rows * inputs.Count));
        var labels = new List<byte>((int)source.Rows);
        var times = new List<long>((int)source.Rows);
        var cards = new List<int>((int)source.Rows);
        var scenarios = new List<byte>((int)source.Rows);
        var scenarioKnown = false;
        var compromises = new CompromisedTerminals();
        var firstWeek = new List<bool>((int)source.Rows);
        var cardIds = new Dictionary<long, int>();
        var row = new double[inputs.Count];
        _dataset.ForEach((transaction, featureValues, label) =>
        {
            map.Fill(transaction, featureValues, row);
            values.AddRange(row);
            var fraud = label?.IsFraud == true;
            labels.Add(fraud ? (byte)1 : (byte)0);
            var scenario = fraud ? Math.Clamp(label!.Value.Scenario, 0, byte.MaxValue) : 0;
            scenarios.Add((byte)scenario);
            scenarioKnown |= scenario != 0;
            firstWeek.Add(scenario == CompromisedTerminals.Scenario && compromises.InFirstWeek(FeatureKeys.Of(transaction).Terminal, source.EventTimeMs));
            times.Add(source.EventTimeMs);
            cards.Add(Card(transaction, cardIds));
        }, stop);
        stop.ThrowIfCancellationRequested();
        if (labels.Count == 0)
        {
            throw new DatasetException($"{Path.GetFileName(source.Path)} has no transactions to learn from");
        }

        return new TrainingSet(inputs, [.. values], [.. labels], [.. times], [.. cards], scenarioKnown ? [.. scenarios] : null, scenarioKnown ? [.. firstWeek] : null);
    }

    /// <summary>
    /// When each terminal's compromise began, from its frauds of scenario 2 in time order: the simulator compromises a
    /// terminal for 28 days, so its first such fraud starts one, and one more than 28 days later starts the next.
    /// </summary>
    private sealed class CompromisedTerminals
    {
        public const int Scenario = 2;

        private static readonly long CompromiseMs = (long)TimeSpan.FromDays(28).TotalMilliseconds;
        private static readonly long WeekMs = (long)TimeSpan.FromDays(7).TotalMilliseconds;
        private readonly Dictionary<long, long> _since = [];

        public bool InFirstWeek(long? terminal, long timeMs)
        {
            if (terminal is not { } id)
            {
                return false;
            }

            if (!_since.TryGetValue(id, out var since) || timeMs >= since + CompromiseMs)
            {
                _since[id] = since = timeMs;
            }

            return timeMs < since + WeekMs;
        }
    }

    private static int Card(Transaction transaction, Dictionary<long, int> ids)
    {
        if (FeatureKeys.Of(transaction).Customer is not { } customer)
        {
            return -1;
        }

        if (!ids.TryGetValue(customer, out var id))
        {
            id = ids.Count;
            ids.Add(customer, id);
        }

        return id;
    }
}
