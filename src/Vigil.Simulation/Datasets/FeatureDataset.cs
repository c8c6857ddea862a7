using System.Text;
using Vigil.Features;
using Vigil.Labels;
using Vigil.Simulation.Datasets.Replay;
using Vigil.Transactions;

namespace Vigil.Simulation.Datasets;

/// <summary>
/// A dataset file with its features: every row as the file holds it, followed by the feature set's columns, computed
/// by the same <see cref="FeatureEngine"/> the pipeline runs, with labels released after the same delay as on the stream.
/// </summary>
/// <remarks>
/// Rows are read in event-time order (<see cref="ReplaySource"/> sorts a file that is not); rows that cannot be
/// transactions are left out and counted. The counters may be read from another thread for progress.
/// </remarks>
public sealed class FeatureDataset(ReplaySource source, FeatureSet set, TimeSpan labelDelay)
{
    private long _rows;
    private long _skipped;

    public FeatureEngine Engine { get; } = new(set);

    /// <summary>Rows written so far.</summary>
    public long Rows => Volatile.Read(ref _rows);

    /// <summary>Rows left out so far because they are not transactions (the source's <see cref="ReplaySource.InvalidLines"/> say why).</summary>
    public long Skipped => Volatile.Read(ref _skipped);

    /// <summary>Reads the whole source and writes the rows with their features; <paramref name="stop"/> ends it after the current row.</summary>
    public void WriteTo(Stream output, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var clash = set.Definitions.Select(d => d.Name).FirstOrDefault(name => source.Header.Contains(name, StringComparer.Ordinal));
        if (clash is not null)
        {
            throw new DatasetException($"the file already has a column {clash}: give a file without features, or another --feature-set");
        }

        var line = new byte[256];
        using var writer = new BufferedStream(output, 1 << 16);
        writer.Write(Encoding.UTF8.GetBytes(string.Join(',', [.. source.Header, .. set.Definitions.Select(d => d.Name)]) + "\n"));
        ForEach((_, values, _) => WriteRow(writer, source.Row, values, ref line), stop);
    }

    /// <summary>A transaction of the file with its features, and its label when the file has one (the row is <see cref="ReplaySource.Row"/>).</summary>
    public delegate void RowHandler(Transaction transaction, ReadOnlySpan<double> features, Label? label);

    /// <summary>
    /// Reads the whole source, computing each transaction's features before its own label is known, and hands each
    /// row to <paramref name="handle"/>; <paramref name="stop"/> ends it after the current row.
    /// </summary>
    public void ForEach(RowHandler handle, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var labels = new DelayedLabels(labelDelay);
        var decoder = new TransactionDecoder();
        var transaction = new Transaction();
        var values = new double[set.Count];
        var record = new byte[1024];
        while (!stop.IsCancellationRequested && source.MoveNext())
        {
            if (source.Invalid is not null)
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }

            var value = source.Value;
            if (record.Length < value.Length)
            {
                record = new byte[value.Length * 2];
            }

            value.CopyTo(record);
            if (!decoder.TryDecode(record.AsMemory(0, value.Length), transaction, out var failure))
            {
                throw new DatasetException($"a replayed row did not decode ({failure.Reason}): this is a bug in Vigil");
            }

            var timeMs = source.EventTimeMs;
            labels.ReleaseDue(timeMs, Engine);
            Engine.Compute(transaction, timeMs, values);
            Label? known = null;
            if (source.HasLabels && LabelDecoder.TryDecode(source.Label, out var label, out _))
            {
                var (customer, terminal) = FeatureKeys.Of(transaction);
                labels.Hold(customer, terminal, timeMs, label.IsFraud);
                known = label;
            }

            handle(transaction, values, known);
            Interlocked.Increment(ref _rows);
        }
    }

    private static void WriteRow(Stream writer, ReadOnlySpan<byte> row, ReadOnlySpan<double> values, ref byte[] line)
    {
        if (row.Length > 0 && row[^1] == '\r')
        {
            row = row[..^1];
        }

        var needed = row.Length + (values.Length * (FeatureValues.MaxLength + 1)) + 1;
        if (line.Length < needed)
        {
            line = new byte[needed * 2];
        }

        row.CopyTo(line);
        var at = row.Length;
        foreach (var v in values)
        {
            line[at++] = (byte)',';
            at += FeatureValues.Write(v, line.AsSpan(at));
        }

        line[at++] = (byte)'\n';
        writer.Write(line, 0, at);
    }
}
