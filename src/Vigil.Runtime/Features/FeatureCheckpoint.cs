using Vigil.Features;

namespace Vigil.Runtime.Features;

/// <summary>
/// A feature stage's checkpoint: the input positions it reached, what it held at that moment (transactions waiting for
/// the watermark, fraud labels waiting for their time, identities waiting for their transaction) and the engine's state. Restoring it and reading the inputs
/// again from those positions computes exactly what an uninterrupted run computes.
/// </summary>
/// <remarks>
/// Kept by an <see cref="ICheckpointStore"/>: a file (written aside and renamed over the previous one) or a Kafka topic, so
/// that a kill at any moment leaves a whole one. Records computed after the last checkpoint are computed again after a
/// restart: the stage is at-least-once.
/// </remarks>
public static class FeatureCheckpoint
{
    private const string Magic = "vigil-feature-checkpoint";
    private const int Version = 2;

    /// <summary>The stage's checkpoint, to be kept by an <see cref="ICheckpointStore"/>.</summary>
    internal static byte[] Write(FeatureStage stage)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(stage.TransactionInputs.Count);
            foreach (var input in stage.TransactionInputs)
            {
                writer.Write(input.Position);
                writer.Write(input.MaxTimeMs);
                writer.Write(input.HasEventTime);
            }

            writer.Write(stage.LabelInputs.Count);
            foreach (var input in stage.LabelInputs)
            {
                writer.Write(input.Position);
            }

            var (released, passed, watermark) = stage.Counters;
            writer.Write(released);
            writer.Write(passed);
            writer.Write(watermark);
            writer.Write(stage.HeldRecords.Count);
            foreach (var (record, order) in stage.HeldRecords.UnorderedItems)
            {
                writer.Write(order.TimeMs);
                writer.Write(record.Partition);
                writer.Write(record.Offset);
                writer.Write(record.HasTime);
                writer.Write(record.KeyLength);
                writer.Write(record.ValueLength);
                writer.Write(record.Bytes, 0, record.KeyLength + record.ValueLength);
            }

            writer.Write(stage.PendingReports.Count);
            foreach (var (report, order) in stage.PendingReports.UnorderedItems)
            {
                writer.Write(order.TimeMs);
                writer.Write(order.Partition);
                writer.Write(order.Offset);
                writer.Write(report.IsFraud);
                writer.Write(report.TransactionTimeMs);
                WriteKey(writer, report.Customer);
                WriteKey(writer, report.Terminal);
            }

            writer.Write(stage.IdentityInputs.Count);
            foreach (var input in stage.IdentityInputs)
            {
                writer.Write(input.Position);
            }

            var waiting = stage.Join?.Waiting ?? [];
            writer.Write(waiting.Count);
            foreach (var (key, (time, record)) in waiting)
            {
                writer.Write(key);
                writer.Write(time);
                writer.Write(record.Length);
                writer.Write(record);
            }

            stage.Engine.Save(writer);
        }

        return stream.ToArray();
    }

    /// <summary>Puts a stage back where a checkpoint left it; a checkpoint of another topology or feature set is refused.</summary>
    /// <exception cref="InvalidDataException">The file is not such a checkpoint, or does not fit this stage; the message says why.</exception>
    internal static void Restore(byte[] checkpoint, string path, FeatureStage stage)
    {
        using var reader = new BinaryReader(new MemoryStream(checkpoint));
        try
        {
            if (reader.ReadString() != Magic || reader.ReadInt32() != Version)
            {
                throw new InvalidDataException($"{path} is not a feature checkpoint of this Vigil version");
            }

            var partitions = reader.ReadInt32();
            if (partitions != stage.TransactionInputs.Count)
            {
                throw new InvalidDataException($"{path} was taken with {partitions} partitions, and this run has {stage.TransactionInputs.Count}: run with --partitions {partitions}, or delete it");
            }

            foreach (var input in stage.TransactionInputs)
            {
                input.Position = reader.ReadInt64();
                input.MaxTimeMs = reader.ReadInt64();
                input.HasEventTime = reader.ReadBoolean();
            }

            if (reader.ReadInt32() != stage.LabelInputs.Count)
            {
                throw new InvalidDataException($"{path} was taken with another number of label partitions");
            }

            foreach (var input in stage.LabelInputs)
            {
                input.Position = reader.ReadInt64();
            }

            stage.Counters = (reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
            var held = reader.ReadInt32();
            for (var i = 0; i < held; i++)
            {
                var order = new EventOrder(reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64());
                var hasTime = reader.ReadBoolean();
                var keyLength = reader.ReadInt32();
                var valueLength = reader.ReadInt32();
                var bytes = reader.ReadBytes(keyLength + valueLength);
                stage.HeldRecords.Enqueue(stage.Pool.Copy(bytes.AsSpan(0, keyLength), bytes.AsSpan(keyLength), order.Partition, order.Offset, hasTime, System.Diagnostics.Stopwatch.GetTimestamp()), order);
                stage.TransactionInputs[order.Partition].Buffered++;
            }

            var reports = reader.ReadInt32();
            for (var i = 0; i < reports; i++)
            {
                var order = new EventOrder(reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64());
                var report = new FraudReport(reader.ReadBoolean(), reader.ReadInt64(), order.TimeMs, ReadKey(reader), ReadKey(reader));
                stage.PendingReports.Enqueue(report, order);
            }

            if (reader.ReadInt32() != stage.IdentityInputs.Count)
            {
                throw new InvalidDataException($"{path} was taken with another number of identity partitions (or with the join on and now off, or off and now on)");
            }

            foreach (var input in stage.IdentityInputs)
            {
                input.Position = reader.ReadInt64();
            }

            var waiting = reader.ReadInt32();
            for (var i = 0; i < waiting; i++)
            {
                var key = reader.ReadInt64();
                var time = reader.ReadInt64();
                var record = reader.ReadBytes(reader.ReadInt32());
                stage.Join?.Add(key, time, record);
            }

            try
            {
                stage.Engine.Restore(reader);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"cannot resume from {path}: {e.Message}", e);
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path} is cut short: delete it to start afresh", e);
        }
    }

    /// <summary>The input positions a checkpoint holds (per partition of transactions, labels and identities), to resume reading there.</summary>
    /// <param name="path">Where the checkpoint was kept, for messages.</param>
    public static (long[] Transactions, long[] Labels, long[] Identities) ReadPositions(byte[] checkpoint, string path)
    {
        var (transactions, labels, identities, _, _) = ReadSummary(checkpoint, path);
        return (transactions, labels, identities);
    }

    /// <summary>
    /// The input positions a checkpoint holds, with the count of transactions released before it and of those it holds
    /// (read, waiting for the watermark): its transaction positions cover both.
    /// </summary>
    internal static (long[] Transactions, long[] Labels, long[] Identities, long Released, int Held) ReadSummary(byte[] checkpoint, string path)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        using var reader = new BinaryReader(new MemoryStream(checkpoint));
        try
        {
            if (reader.ReadString() != Magic || reader.ReadInt32() != Version)
            {
                throw new InvalidDataException($"{path} is not a feature checkpoint of this Vigil version");
            }

            var transactions = new long[reader.ReadInt32()];
            for (var i = 0; i < transactions.Length; i++)
            {
                transactions[i] = reader.ReadInt64();
                reader.ReadInt64(); // the input's newest event time
                reader.ReadBoolean(); // whether it has event time
            }

            var labels = new long[reader.ReadInt32()];
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = reader.ReadInt64();
            }

            var released = reader.ReadInt64();
            reader.ReadBytes(2 * sizeof(long)); // records passed through, the watermark
            var held = reader.ReadInt32();
            for (var i = 0; i < held; i++)
            {
                reader.ReadBytes(8 + 4 + 8 + 1);
                var keyLength = reader.ReadInt32();
                var valueLength = reader.ReadInt32();
                reader.ReadBytes(keyLength + valueLength);
            }

            var reports = reader.ReadInt32();
            reader.ReadBytes(reports * (8 + 4 + 8 + 1 + 8 + (2 * (1 + 8))));
            var identities = new long[reader.ReadInt32()];
            for (var i = 0; i < identities.Length; i++)
            {
                identities[i] = reader.ReadInt64();
            }

            return (transactions, labels, identities, released, held);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path} is cut short: delete it to start afresh", e);
        }
    }

    private static void WriteKey(BinaryWriter writer, long? key)
    {
        writer.Write(key.HasValue);
        writer.Write(key ?? 0);
    }

    private static long? ReadKey(BinaryReader reader)
    {
        var has = reader.ReadBoolean();
        var key = reader.ReadInt64();
        return has ? key : null;
    }
}
