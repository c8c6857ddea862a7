using Vigil.Labels;
using Vigil.Learning.Data;

namespace Vigil.Learning.Retraining;

/// <summary>
/// The retraining loop's memory: the latest decided transactions' model inputs in a ring, each waiting for its label
/// and then kept as a training row until newer rows take its place.
/// </summary>
/// <remarks>
/// Bounded: <see cref="Capacity"/> rows (inputs stored as 32-bit floats), and at most as many labels that came before
/// their row. A row whose label never came is overwritten like any other. Each label is stamped with the number of
/// labels come before it, so that a model can be judged only on labels that matured after it was trained. Not
/// thread-safe: the loop owns it.
/// </remarks>
public sealed class LabelledRows
{
    /// <summary>A flag rule flagged the transaction (whatever a model said).</summary>
    public const byte RuleFlag = 1;

    /// <summary>The decision was fraud (rules or model).</summary>
    public const byte FlaggedFlag = 2;

    /// <summary>An allow rule cleared the transaction, whatever flagged it.</summary>
    public const byte AllowedFlag = 4;

    private const sbyte Unknown = -1;

    private readonly long[] _keys;
    private readonly long[] _times;
    private readonly long[] _cards;
    private readonly byte[] _flags;
    private readonly float[] _scores;
    private readonly float[] _values;
    private readonly sbyte[] _labels;
    private readonly byte[] _scenarios;

    /// <summary>Whether a row's label is an analyst's verdict (until its report replaces it): judged and measured on reports only.</summary>
    private readonly bool[] _byVerdict;
    private readonly long[] _labelSequence;
    private readonly Dictionary<long, int> _pending = [];

    /// <summary>Rows labelled by an analyst's verdict, until their report comes (which replaces it); stale slots are checked by key.</summary>
    private readonly Dictionary<long, int> _verdicts = [];
    private readonly Dictionary<long, (bool Fraud, byte Scenario, long Sequence, long ArrivedAt, bool Verdict)> _early = [];
    private int _next;

    public LabelledRows(int width, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Width = width;
        Capacity = capacity;
        _keys = new long[capacity];
        _times = new long[capacity];
        _cards = new long[capacity];
        _flags = new byte[capacity];
        _scores = new float[capacity];
        _values = new float[capacity * width];
        _labels = new sbyte[capacity];
        _scenarios = new byte[capacity];
        _byVerdict = new bool[capacity];
        _labelSequence = new long[capacity];
    }

    public int Width { get; }

    public int Capacity { get; }

    /// <summary>Rows held, labelled or not.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Labels come so far, valid ones: each is numbered in the order it came (from 1), whether its row was there or
    /// came later, so that "the labels come after a model's training" is the same set however late rows are.
    /// </summary>
    public long LabelsRead { get; private set; }

    /// <summary>Labels whose row was overwritten, or never decided, before they came (or that came twice).</summary>
    public long LabelsUnmatched { get; private set; }

    /// <summary>Rows overwritten before their label came.</summary>
    public long RowsExpiredUnlabelled { get; private set; }

    /// <summary>The latest event time of a row (Unix milliseconds); <see cref="long.MinValue"/> before the first.</summary>
    public long LatestMs { get; private set; } = long.MinValue;

    public void Add(long key, long timeMs, long card, byte flags, float score, ReadOnlySpan<float> values)
    {
        var slot = _next;
        _next = (_next + 1) % Capacity;
        if (Count == Capacity)
        {
            if (_labels[slot] == Unknown && _pending.Remove(_keys[slot]))
            {
                RowsExpiredUnlabelled++;
            }
        }
        else
        {
            Count++;
        }

        _keys[slot] = key;
        _times[slot] = timeMs;
        _cards[slot] = card;
        _flags[slot] = flags;
        _scores[slot] = score;
        values.CopyTo(_values.AsSpan(slot * Width, Width));
        _labels[slot] = Unknown;
        _scenarios[slot] = 0;
        _byVerdict[slot] = false;
        _labelSequence[slot] = 0;
        LatestMs = Math.Max(LatestMs, timeMs);
        if (_early.Remove(key, out var early))
        {
            Apply(slot, early.Fraud, early.Scenario, early.Sequence, early.Verdict);
            if (early.Verdict)
            {
                _verdicts[key] = slot;
            }
        }
        else
        {
            _pending[key] = slot;
        }
    }

    /// <summary>Labels waiting for their row (the detector that decides it lags the source).</summary>
    public int EarlyLabels => _early.Count;

    /// <summary>
    /// Applies a label to its row, or keeps it until the row comes (bounded by <see cref="Capacity"/>);
    /// <paramref name="arrivedAt"/> is when it came, on any clock <see cref="ForgetEarlyLabels"/> is given.
    /// </summary>
    public void Label(Label label, long arrivedAt = 0)
    {
        var sequence = ++LabelsRead;
        if (_pending.Remove(label.TransactionKey, out var slot))
        {
            Apply(slot, label.IsFraud, (byte)Math.Clamp(label.Scenario, 0, 255), sequence, label.IsVerdict);
            if (label.IsVerdict)
            {
                _verdicts[label.TransactionKey] = slot;
            }

            return;
        }

        // The report of a row an analyst labelled: the report is the truth, and replaces the verdict.
        if (!label.IsVerdict && _verdicts.Remove(label.TransactionKey, out slot) && _keys[slot] == label.TransactionKey && _labels[slot] != Unknown)
        {
            Apply(slot, label.IsFraud, (byte)Math.Clamp(label.Scenario, 0, 255), sequence, verdict: false);
            return;
        }

        if (_early.Count < Capacity)
        {
            _early[label.TransactionKey] = (label.IsFraud, (byte)Math.Clamp(label.Scenario, 0, 255), sequence, arrivedAt, label.IsVerdict);
        }
        else
        {
            LabelsUnmatched++;
        }
    }

    /// <summary>Forgets the labels that came before <paramref name="before"/> and still wait for their row: it was dead-lettered, or is lost.</summary>
    public void ForgetEarlyLabels(long before)
    {
        foreach (var (key, early) in _early)
        {
            if (early.ArrivedAt < before)
            {
                _early.Remove(key);
                LabelsUnmatched++;
            }
        }
    }

    /// <summary>
    /// The labelled rows whose event time is at least <paramref name="fromMs"/> and whose label was applied after
    /// sequence number <paramref name="afterLabel"/> and at most <paramref name="upToLabel"/>, as a training set in
    /// event-time order (ties in key order, so that the same rows always make the same set).
    /// </summary>
    /// <param name="reportsOnly">Leaves out rows labelled by an analyst's verdict and not yet by their report: a model is judged on the truth.</param>
    public TrainingSet Select(IReadOnlyList<string> inputs, long fromMs, long afterLabel = 0, long upToLabel = long.MaxValue, bool reportsOnly = false) =>
        Build(inputs, Slots(fromMs, afterLabel, upToLabel, reportsOnly));

    /// <summary>
    /// The reports' training set (as <see cref="Select"/> with reports only) joined by the rows analysts' verdicts label
    /// and no report has yet, decided at or after <paramref name="fromMs"/> and labelled up to <paramref name="upToLabel"/>.
    /// The verdicts go ahead of the reports that a trainer holding out the last <paramref name="heldOut"/> share of its
    /// rows (counted as <see cref="Training.GradientBoostingTrainer"/> counts them) sets aside to stop early and choose
    /// its threshold: a model learns from the analysts' sample of alerts, and is tuned on the stream's truth.
    /// </summary>
    /// <returns>The set, and how many of its rows it holds by their verdicts.</returns>
    public (TrainingSet Rows, int Verdicts) SelectWithVerdicts(IReadOnlyList<string> inputs, long fromMs, long upToLabel, double heldOut)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(heldOut);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(heldOut, 1);
        var reports = Slots(fromMs, 0, upToLabel, reportsOnly: true);
        var verdicts = Slots(fromMs, 0, upToLabel, reportsOnly: false).Where(s => _byVerdict[s]).ToArray();
        var fitted = Math.Max(0, reports.Length - (int)((reports.Length + verdicts.Length) * heldOut));
        return (Build(inputs, [.. reports[..fitted], .. verdicts, .. reports[fitted..]]), verdicts.Length);
    }

    /// <summary>The rows decided at or after <paramref name="fromMs"/>, labelled or not: (labelled, all).</summary>
    public (int Labelled, int All) Maturity(long fromMs)
    {
        int labelled = 0, all = 0;
        for (var slot = 0; slot < Count; slot++)
        {
            if (_times[slot] >= fromMs)
            {
                all++;
                labelled += _labels[slot] == Unknown ? 0 : 1;
            }
        }

        return (labelled, all);
    }

    /// <summary>The decision flags (<see cref="RuleFlag"/>, <see cref="FlaggedFlag"/>, <see cref="AllowedFlag"/>) of the rows of the set <see cref="Select"/> makes with the same arguments, in its order.</summary>
    public byte[] Flags(long fromMs, long afterLabel = 0, long upToLabel = long.MaxValue, bool reportsOnly = false) =>
        [.. Slots(fromMs, afterLabel, upToLabel, reportsOnly).Select(s => _flags[s])];

    /// <summary>The labelled rows decided at or after <paramref name="fromMs"/>: how many, their frauds, and the span of their event times.</summary>
    public (int Rows, int Frauds, long FirstMs, long LastMs) Labelled(long fromMs = long.MinValue, bool reportsOnly = false)
    {
        int rows = 0, frauds = 0;
        long first = long.MaxValue, last = long.MinValue;
        for (var slot = 0; slot < Count; slot++)
        {
            if (_labels[slot] != Unknown && _times[slot] >= fromMs && !(reportsOnly && _byVerdict[slot]))
            {
                rows++;
                frauds += _labels[slot];
                first = Math.Min(first, _times[slot]);
                last = Math.Max(last, _times[slot]);
            }
        }

        return (rows, frauds, first, last);
    }

    /// <summary>How the pipeline's own decisions fared on the rows labelled after sequence number <paramref name="afterLabel"/>, by their reports.</summary>
    public (int Rows, int Frauds, int Caught, int Flagged, long FirstMs) Outcomes(long afterLabel)
    {
        int rows = 0, frauds = 0, caught = 0, flagged = 0;
        var first = long.MaxValue;
        for (var slot = 0; slot < Count; slot++)
        {
            if (_labels[slot] != Unknown && !_byVerdict[slot] && _labelSequence[slot] > afterLabel)
            {
                var flag = (_flags[slot] & FlaggedFlag) != 0;
                rows++;
                frauds += _labels[slot];
                flagged += flag ? 1 : 0;
                caught += flag && _labels[slot] == 1 ? 1 : 0;
                first = Math.Min(first, _times[slot]);
            }
        }

        return (rows, frauds, caught, flagged, first);
    }

    /// <summary>
    /// The inputs of the rows decided at or after <paramref name="fromMs"/>, row-major, and the deciding model's scores
    /// of those decided at or after <paramref name="scoredFromMs"/> (NaN for the others, and where no model scored).
    /// </summary>
    public (float[] Scores, float[] Values, int Rows) Recent(long fromMs, long scoredFromMs = long.MinValue)
    {
        var slots = Enumerable.Range(0, Count).Where(s => _times[s] >= fromMs).ToArray();
        var values = new float[slots.Length * Width];
        for (var i = 0; i < slots.Length; i++)
        {
            _values.AsSpan(slots[i] * Width, Width).CopyTo(values.AsSpan(i * Width, Width));
        }

        return ([.. slots.Select(s => _times[s] >= scoredFromMs ? _scores[s] : float.NaN)], values, slots.Length);
    }

    private int[] Slots(long fromMs, long afterLabel, long upToLabel, bool reportsOnly)
    {
        var slots = new List<int>();
        for (var slot = 0; slot < Count; slot++)
        {
            var sequence = _labelSequence[slot];
            if (_labels[slot] != Unknown && _times[slot] >= fromMs && sequence > afterLabel && sequence <= upToLabel && !(reportsOnly && _byVerdict[slot]))
            {
                slots.Add(slot);
            }
        }

        slots.Sort((a, b) => _times[a] != _times[b] ? _times[a].CompareTo(_times[b]) : _keys[a].CompareTo(_keys[b]));
        return [.. slots];
    }

    private TrainingSet Build(IReadOnlyList<string> inputs, int[] slots)
    {
        var values = new double[slots.Length * Width];
        var labels = new byte[slots.Length];
        var times = new long[slots.Length];
        var cards = new int[slots.Length];
        var scenarios = new byte[slots.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            var from = _values.AsSpan(slot * Width, Width);
            var to = values.AsSpan(i * Width, Width);
            for (var j = 0; j < Width; j++)
            {
                to[j] = from[j];
            }

            labels[i] = (byte)_labels[slot];
            times[i] = _times[slot];
            cards[i] = (int)((_cards[slot] ^ (_cards[slot] >>> 32)) & int.MaxValue);
            scenarios[i] = _scenarios[slot];
        }

        return new TrainingSet(inputs, values, labels, times, cards, scenarios);
    }

    private void Apply(int slot, bool fraud, byte scenario, long sequence, bool verdict)
    {
        _byVerdict[slot] = verdict;
        _labels[slot] = fraud ? (sbyte)1 : (sbyte)0;
        _scenarios[slot] = fraud ? scenario : (byte)0;
        _labelSequence[slot] = sequence;
    }
}
