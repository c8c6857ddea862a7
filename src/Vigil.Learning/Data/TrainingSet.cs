namespace Vigil.Learning.Data;

/// <summary>Rows of model inputs with their labels, event times and cards, in event-time order.</summary>
/// <remarks>Values are row-major (<see cref="Width"/> per row), NaN where an input is missing.</remarks>
public sealed class TrainingSet
{
    /// <param name="scenarios">How each fraud was made, when the file says (the simulator's 1–3); 0 for legitimate rows and unknown ones. Null when the file does not say.</param>
    /// <param name="firstWeek">Which frauds of a compromised terminal (scenario 2) came in the first 7 days of its compromise; null when not known.</param>
    public TrainingSet(IReadOnlyList<string> inputs, double[] values, byte[] labels, long[] timesMs, int[] cards, byte[]? scenarios = null, bool[]? firstWeek = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(timesMs);
        ArgumentNullException.ThrowIfNull(cards);
        if (inputs.Count == 0 || values.Length != labels.Length * inputs.Count || timesMs.Length != labels.Length || cards.Length != labels.Length || (scenarios is not null && scenarios.Length != labels.Length)
            || (firstWeek is not null && firstWeek.Length != labels.Length))
        {
            throw new ArgumentException("a training set has inputs, and one label, time and card per row of values");
        }

        Inputs = inputs;
        Values = values;
        Labels = labels;
        TimesMs = timesMs;
        Cards = cards;
        Scenarios = scenarios;
        FirstWeek = firstWeek;
    }

    public IReadOnlyList<string> Inputs { get; }

    public int Width => Inputs.Count;

    public int Rows => Labels.Length;

    public double[] Values { get; }

    /// <summary>1 for fraud, 0 otherwise.</summary>
    public byte[] Labels { get; }

    public long[] TimesMs { get; }

    /// <summary>The customer (card) of each row as a small integer, −1 when the row has none; Card Precision@k ranks these.</summary>
    public int[] Cards { get; }

    /// <summary>Each row's fraud scenario (0 for none or unknown), or null when the file has no scenario column.</summary>
    public byte[]? Scenarios { get; }

    /// <summary>
    /// For each fraud of a compromised terminal (scenario 2), whether it came in the first 7 days of the terminal's
    /// compromise, when features that wait for reported labels cannot see it yet; null when not known.
    /// </summary>
    public bool[]? FirstWeek { get; }

    public int Frauds => Labels.Count(l => l != 0);

    public ReadOnlySpan<double> Row(int row) => Values.AsSpan(row * Width, Width);

    public double Value(int row, int input) => Values[(row * Width) + input];

    /// <summary>The rows at the given indexes, in that order.</summary>
    public TrainingSet Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var values = new double[rows.Count * Width];
        var labels = new byte[rows.Count];
        var times = new long[rows.Count];
        var cards = new int[rows.Count];
        var scenarios = Scenarios is null ? null : new byte[rows.Count];
        var firstWeek = FirstWeek is null ? null : new bool[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            Row(r).CopyTo(values.AsSpan(i * Width, Width));
            labels[i] = Labels[r];
            times[i] = TimesMs[r];
            cards[i] = Cards[r];
            scenarios?[i] = Scenarios![r];
            firstWeek?[i] = FirstWeek![r];
        }

        return new TrainingSet(Inputs, values, labels, times, cards, scenarios, firstWeek);
    }

    /// <summary>Midnight UTC of a day in Unix milliseconds, the unit of <see cref="TimesMs"/>.</summary>
    public static long StartOfDayMs(DateOnly date) =>
        new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>The rows whose event time lies in [<paramref name="fromMs"/>, <paramref name="toMs"/>).</summary>
    public int[] RowsBetween(long fromMs, long toMs)
    {
        var first = LowerBound(fromMs);
        var end = LowerBound(toMs);
        return [.. Enumerable.Range(first, Math.Max(0, end - first))];
    }

    private int LowerBound(long timeMs)
    {
        int lo = 0, hi = Rows;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (TimesMs[mid] < timeMs)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
