using Vigil.Labels;

namespace Vigil.Quality;

/// <summary>
/// Joins decisions with the labels that arrive after them, by transaction id, and counts how well detection did: the
/// confusion matrix, the fraud money caught and missed, the alert rate, recall per fraud scenario.
/// </summary>
/// <remarks>
/// Either may come first (labels and decisions travel on different topics). What waits for its other half is
/// bounded: an entry still unmatched after <c>maxPending</c> newer entries is dropped and counted as expired, so
/// memory stays bounded even when labels never come, and nothing is lost silently. Not thread-safe.
/// </remarks>
public sealed class QualityTracker
{
    public const int DefaultMaxPending = 2_000_000;

    /// <summary>Scenario numbers tracked separately; higher ones are counted under the last.</summary>
    public const int MaxScenarios = 8;

    private readonly int _maxPending;
    private readonly Dictionary<long, Pending> _pending = [];
    private readonly long[] _scenarioFrauds = new long[MaxScenarios];
    private readonly long[] _scenarioCaught = new long[MaxScenarios];
    private long[] _arrivals = new long[1024];
    private long _sequence;
    private ConfusionMatrix _matrix;
    private double _fraudCaught;
    private double _fraudMissed;
    private double _genuineFlagged;
    private long _decided;
    private long _flagged;
    private long _awaitingLabel;
    private long _awaitingDecision;
    private long _expiredDecisions;
    private long _expiredLabels;
    private long _duplicates;
    private long _invalidLabels;
    private long _withoutId;

    public QualityTracker(int maxPending = DefaultMaxPending)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPending);
        _maxPending = maxPending;
        _arrivals = new long[Math.Min(_arrivals.Length, maxPending)];
    }

    /// <summary>A transaction was decided: flagged as fraud or not.</summary>
    public void Decided(long key, bool flagged)
    {
        _decided++;
        _flagged += flagged ? 1 : 0;
        if (_pending.Remove(key, out var pending))
        {
            if (pending.HasDecision)
            {
                _duplicates++;
                _pending[key] = pending;
                return;
            }

            _awaitingDecision--;
            Count(flagged, pending.Label);
            return;
        }

        _awaitingLabel++;
        Add(key, new Pending { HasDecision = true, Flagged = flagged });
    }

    /// <summary>A transaction without an id was decided: it counts in the alert rate but can never meet its label.</summary>
    public void DecidedWithoutId(bool flagged)
    {
        _decided++;
        _flagged += flagged ? 1 : 0;
        _withoutId++;
    }

    public void Labelled(in Label label)
    {
        if (_pending.Remove(label.TransactionKey, out var pending))
        {
            if (!pending.HasDecision)
            {
                _duplicates++;
                _pending[label.TransactionKey] = pending;
                return;
            }

            _awaitingLabel--;
            Count(pending.Flagged, label);
            return;
        }

        _awaitingDecision++;
        Add(label.TransactionKey, new Pending { Label = label });
    }

    /// <summary>A record on the labels topic that is not a label.</summary>
    public void InvalidLabel() => _invalidLabels++;

    public QualitySnapshot Snapshot()
    {
        var scenarios = new List<ScenarioQuality>();
        for (var s = 0; s < MaxScenarios; s++)
        {
            if (_scenarioFrauds[s] > 0)
            {
                scenarios.Add(new ScenarioQuality(s, _scenarioFrauds[s], _scenarioCaught[s]));
            }
        }

        return new QualitySnapshot(
            _matrix, _decided, _flagged, _fraudCaught, _fraudMissed, _genuineFlagged, _awaitingLabel, _awaitingDecision,
            _expiredDecisions, _expiredLabels, _duplicates, _invalidLabels, _withoutId, scenarios);
    }

    private void Count(bool flagged, in Label label)
    {
        _matrix = _matrix.Add(flagged, label.IsFraud);
        if (label.IsFraud)
        {
            var scenario = Math.Clamp(label.Scenario, 0, MaxScenarios - 1);
            _scenarioFrauds[scenario]++;
            if (flagged)
            {
                _fraudCaught += label.Amount;
                _scenarioCaught[scenario]++;
            }
            else
            {
                _fraudMissed += label.Amount;
            }
        }
        else if (flagged)
        {
            _genuineFlagged += label.Amount;
        }
    }

    /// <summary>Adds an entry; the one that arrived <c>maxPending</c> entries ago expires if still unmatched.</summary>
    private void Add(long key, Pending pending)
    {
        var sequence = _sequence++;
        if (sequence >= _arrivals.Length && _arrivals.Length < _maxPending)
        {
            // Below the bound the ring is not full yet and slot = sequence, so growing keeps every slot in place.
            Array.Resize(ref _arrivals, (int)Math.Min((long)_arrivals.Length * 2, _maxPending));
        }

        var slot = (int)(sequence % _arrivals.Length);
        if (sequence >= _maxPending)
        {
            var oldest = _arrivals[slot];
            if (_pending.TryGetValue(oldest, out var stale) && stale.Sequence == sequence - _maxPending)
            {
                _pending.Remove(oldest);
                if (stale.HasDecision)
                {
                    _expiredDecisions++;
                    _awaitingLabel--;
                }
                else
                {
                    _expiredLabels++;
                    _awaitingDecision--;
                }
            }
        }

        _arrivals[slot] = key;
        pending.Sequence = sequence;
        _pending[key] = pending;
    }

    private struct Pending
    {
        public long Sequence;
        public bool HasDecision;
        public bool Flagged;
        public Label Label;
    }
}
