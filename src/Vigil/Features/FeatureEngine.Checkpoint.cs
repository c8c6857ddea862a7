namespace Vigil.Features;

/// <summary>The engine's state written to and read from a checkpoint.</summary>
public sealed partial class FeatureEngine
{
    private const int CheckpointVersion = 1;

    /// <summary>Writes every entity's history and the engine's clock and counters.</summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(CheckpointVersion);
        writer.Write(Fingerprint());
        foreach (var counter in new[] { Clock, Computed, Late, LabelsApplied, LabelsIgnored, Evicted, _sinceEviction, _nextEviction })
        {
            writer.Write(counter);
        }

        foreach (var table in _tables)
        {
            writer.Write(table.Histories.Count);
            foreach (var (key, history) in table.Histories)
            {
                writer.Write(key);
                writer.Write(history.Base);
                writer.Write(history.Next);
                writer.Write(history.TotalCents);
                writer.Write(history.LastTime);
                for (var seq = history.Base; seq < history.Next; seq++)
                {
                    var at = history.Position(seq);
                    writer.Write(history.Times[at]);
                    if (history.Amounts is not null)
                    {
                        writer.Write(history.Amounts[at]);
                    }

                    if (history.Others is not null)
                    {
                        writer.Write(history.Others[at]);
                    }
                }

                foreach (var cursor in history.Cursors)
                {
                    writer.Write(cursor);
                }

                writer.Write(history.FraudCount);
                for (var i = 0; i < history.FraudCount; i++)
                {
                    writer.Write(history.Frauds![i]);
                }
            }
        }
    }

    /// <summary>Replaces this engine's state with a checkpoint's; the checkpoint must be of the same feature set.</summary>
    /// <exception cref="InvalidDataException">The checkpoint is of another version or feature set, or damaged.</exception>
    public void Restore(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        try
        {
            var version = reader.ReadInt32();
            if (version != CheckpointVersion)
            {
                throw new InvalidDataException($"the checkpoint's state is of version {version}; this Vigil reads version {CheckpointVersion}");
            }

            if (reader.ReadString() != Fingerprint())
            {
                throw new InvalidDataException("the checkpoint was taken with other features: delete it, or run with the features it was taken with");
            }

            Clock = reader.ReadInt64();
            Computed = reader.ReadInt64();
            Late = reader.ReadInt64();
            LabelsApplied = reader.ReadInt64();
            LabelsIgnored = reader.ReadInt64();
            Evicted = reader.ReadInt64();
            _sinceEviction = reader.ReadInt64();
            _nextEviction = reader.ReadInt64();
            foreach (var table in _tables)
            {
                table.Histories.Clear();
                var count = reader.ReadInt32();
                for (var i = 0; i < count; i++)
                {
                    var key = reader.ReadInt64();
                    table.Histories[key] = ReadHistory(reader, table);
                }
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("the checkpoint's feature state is cut short", e);
        }
    }

    private static EntityHistory ReadHistory(BinaryReader reader, WindowTable table)
    {
        var first = reader.ReadInt64();
        var next = reader.ReadInt64();
        var length = checked((int)(next - first));
        var history = table.NewHistory(Math.Max(4, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(length, 1))));
        history.Base = first;
        history.Next = first;
        var total = reader.ReadInt64();
        var last = reader.ReadUInt32();
        for (var i = 0; i < length; i++)
        {
            var time = reader.ReadUInt32();
            var cents = table.HasAmounts ? reader.ReadInt32() : 0;
            var other = table.HasCounterparties ? reader.ReadInt64() : 0;
            history.Append(time, cents, other);
        }

        history.TotalCents = total;
        history.LastTime = last;
        for (var i = 0; i < history.Cursors.Length; i++)
        {
            history.Cursors[i] = reader.ReadInt64();
        }

        var frauds = reader.ReadInt32();
        for (var i = 0; i < frauds; i++)
        {
            history.AddFraud(reader.ReadUInt32());
        }

        return history;
    }

    private string Fingerprint() => string.Join("; ", _set.Definitions);
}
