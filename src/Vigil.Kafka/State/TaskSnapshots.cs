using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using Vigil.Kafka.Configuration;

namespace Vigil.Kafka.State;

/// <summary>Tasks' state kept in a Kafka topic, so that whoever takes a task over restores it: the latest whole snapshot wins.</summary>
/// <remarks>
/// <para>Kafka Streams backs a task's store with a changelog record per update; Vigil's feature state is compact and
/// taken whole, so a task writes snapshots with the input offsets they cover (docs/adr/0001). Every record of a task goes
/// to one partition of the topic (by its name's hash), so a restore reads one partition.</para>
/// <para>A snapshot is written as chunks (the brokers bound a record's size, 1 MB by default) keyed
/// <c>task/slot/index</c>, then, once the brokers acknowledged every chunk, a manifest keyed <c>task</c> with the
/// sequence, the chunk count, the state's SHA-256 and the positions. Successive snapshots alternate between two slots:
/// in a compacted topic (<c>cleanup.policy=compact</c> keeps the latest record of each key) the chunks being written
/// never replace those of the latest whole snapshot, so a writer killed half-way leaves the previous one restorable.</para>
/// </remarks>
public sealed class TaskSnapshots : IDisposable
{
    public const int DefaultChunkBytes = 512 * 1024;

    private readonly KafkaClients _clients;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly int _partitions;
    private readonly int _chunkBytes;
    private readonly Lock _metadataLock = new();
    private readonly Dictionary<string, List<int>> _partitionsOf = new(StringComparer.Ordinal);
    private IConsumer<byte[], byte[]>? _metadata;

    /// <param name="partitions">The topic's partition count: a task's records always go to the same one of them.</param>
    public TaskSnapshots(KafkaClients clients, string topic, int partitions, int chunkBytes = DefaultChunkBytes)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1024);
        _clients = clients;
        Topic = topic;
        _partitions = partitions;
        _chunkBytes = chunkBytes;
        _producer = clients.ReliableProducer("state");
    }

    public string Topic { get; }

    /// <summary>The clients the snapshots are read and written with.</summary>
    public KafkaClients Clients => _clients;

    /// <summary>Where each partition of <paramref name="topic"/> ends now: a snapshot records its outputs' ends.</summary>
    /// <remarks>
    /// Asked of the brokers on every snapshot through one client kept for it, the topic's partitions read once: a client
    /// made for each snapshot (connections, metadata) stalled the tasks of a loaded cluster for seconds.
    /// </remarks>
    public IReadOnlyList<InputPosition> EndOffsets(string topic)
    {
        List<int> partitions;
        lock (_metadataLock)
        {
            _metadata ??= _clients.Consumer("state-metadata", "vigil-state-metadata");
            if (!_partitionsOf.TryGetValue(topic, out partitions!))
            {
                _partitionsOf[topic] = partitions = Bridge.KafkaCopy.Partitions(_metadata, topic);
            }
        }

        return [.. partitions.Select(p => new InputPosition(topic, p, _metadata.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value))];
    }

    /// <summary>The snapshots of an existing topic, its partition count read from the cluster (the service creates no topic).</summary>
    public static TaskSnapshots Open(KafkaClients clients, string topic)
    {
        ArgumentNullException.ThrowIfNull(clients);
        using var consumer = clients.Consumer("state-metadata", "vigil-state-metadata");
        return new TaskSnapshots(clients, topic, Bridge.KafkaCopy.Partitions(consumer, topic).Count);
    }

    /// <summary>The partition of the topic that holds every record of <paramref name="task"/>.</summary>
    public int PartitionOf(string task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var hash = 2166136261u; // FNV-1a: the same partition on every machine and every run
        foreach (var b in Encoding.UTF8.GetBytes(task))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)_partitions);
    }

    /// <summary>Writes a snapshot and returns once the brokers acknowledged all of it; a failure throws and leaves the previous one the latest.</summary>
    public async Task WriteAsync(TaskSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var chunks = await WriteChunksAsync(snapshot, cancellationToken);
        await ProduceAsync(snapshot.Task, Manifest.Of(snapshot, chunks).Encode(), snapshot.Task, cancellationToken);
    }

    /// <summary>
    /// Reads the task's partition from its beginning to its end as it was when the restore began, and returns the latest
    /// snapshot that is whole, or null when the task has none. A latest one that is damaged falls back on the one before;
    /// if neither is whole, it throws <see cref="InvalidDataException"/> rather than start the task empty.
    /// </summary>
    public TaskSnapshot? ReadLatest(string task, IProgress<RestoreProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var partition = new TopicPartition(Topic, PartitionOf(task));
        using var consumer = _clients.Consumer("state-restore", "vigil-state-restore");
        var offsets = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
        var (low, high) = (offsets.Low.Value, offsets.High.Value);
        var total = Math.Max(0, high - low);
        progress?.Report(new RestoreProgress(task, 0, total));
        if (total == 0)
        {
            return null;
        }

        var prefix = task + "/";
        Manifest? latest = null;
        Manifest? previous = null;
        var chunks = new Dictionary<string, byte[]>(StringComparer.Ordinal); // the latest of each key, as compaction keeps
        long read = 0;
        foreach (var result in LogReader.Read(consumer, [(partition, low, high)], $"restoring {task} from {Topic}", cancellationToken))
        {
            read++;
            var message = result.Message;
            var key = message.Key is null ? string.Empty : Encoding.UTF8.GetString(message.Key);
            if (key == task && Manifest.TryParse(message.Value, out var manifest))
            {
                (previous, latest) = (latest, manifest);
            }
            else if (key.StartsWith(prefix, StringComparison.Ordinal) && message.Value is not null)
            {
                chunks[key] = message.Value;
            }

            if (read % 1000 == 0)
            {
                progress?.Report(new RestoreProgress(task, read, total));
            }
        }

        progress?.Report(new RestoreProgress(task, total, total));
        foreach (var candidate in new[] { latest, previous })
        {
            if (candidate is not null && candidate.Assemble(task, chunks) is { } state)
            {
                return new TaskSnapshot(task, candidate.Sequence, candidate.Positions, state, candidate.WrittenAt);
            }
        }

        return latest is null
            ? null
            : throw new InvalidDataException($"the snapshots of {task} in {Topic} (partition {partition.Partition.Value}) are damaged: neither the latest ({latest.Sequence}) nor the one before is whole");
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
        _metadata?.Dispose();
    }

    /// <summary>Writes the chunks of a snapshot, without its manifest (which a writer killed here never writes).</summary>
    internal async Task<int> WriteChunksAsync(TaskSnapshot snapshot, CancellationToken cancellationToken)
    {
        var count = Math.Max(1, (snapshot.State.Length + _chunkBytes - 1) / _chunkBytes);
        var writes = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var start = i * _chunkBytes;
            var length = Math.Min(_chunkBytes, snapshot.State.Length - start);
            var value = new byte[Chunk.HeaderBytes + length];
            Chunk.WriteHeader(value, snapshot.Sequence, i);
            snapshot.State.AsSpan(start, length).CopyTo(value.AsSpan(Chunk.HeaderBytes));
            writes[i] = ProduceAsync(Chunk.Key(snapshot.Task, snapshot.Sequence, i), value, snapshot.Task, cancellationToken);
        }

        await Task.WhenAll(writes);
        return count;
    }

    /// <summary>Writes one record of a task to the task's partition.</summary>
    internal async Task ProduceAsync(string key, byte[] value, string task, CancellationToken cancellationToken)
    {
        try
        {
            await _producer.ProduceAsync(
                new TopicPartition(Topic, PartitionOf(task)),
                new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = value },
                cancellationToken);
        }
        catch (ProduceException<byte[], byte[]> e)
        {
            throw new KafkaDeliveryException($"writing the state of {task} to {Topic}: {e.Error.Reason}");
        }
    }

    /// <summary>A chunk's value: "VSC1", the snapshot's sequence and the chunk's index (big-endian), then its bytes.</summary>
    private static class Chunk
    {
        public const int HeaderBytes = 16;

        public static string Key(string task, long sequence, int index) => $"{task}/{sequence & 1}/{index}";

        public static void WriteHeader(Span<byte> value, long sequence, int index)
        {
            "VSC1"u8.CopyTo(value);
            BinaryPrimitives.WriteInt64BigEndian(value[4..], sequence);
            BinaryPrimitives.WriteInt32BigEndian(value[12..], index);
        }

        public static bool Matches(byte[] value, long sequence, int index) =>
            value.Length >= HeaderBytes && value.AsSpan(0, 4).SequenceEqual("VSC1"u8)
            && BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(4)) == sequence
            && BinaryPrimitives.ReadInt32BigEndian(value.AsSpan(12)) == index;
    }

    /// <summary>A snapshot's manifest: "vigil-task-snapshot-1", then its sequence, chunk count, length, SHA-256, time and positions.</summary>
    internal sealed record Manifest(long Sequence, int Chunks, int Length, byte[] Sha256, DateTimeOffset WrittenAt, IReadOnlyList<InputPosition> Positions)
    {
        public const string Magic = "vigil-task-snapshot-1";

        public static Manifest Of(TaskSnapshot snapshot, int chunks) =>
            new(snapshot.Sequence, chunks, snapshot.State.Length, SHA256.HashData(snapshot.State), snapshot.WrittenAt, snapshot.Positions);

        public byte[] Encode()
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(Magic);
                writer.Write(Sequence);
                writer.Write(Chunks);
                writer.Write(Length);
                writer.Write(Sha256);
                writer.Write(WrittenAt.ToUnixTimeMilliseconds());
                writer.Write(Positions.Count);
                foreach (var position in Positions)
                {
                    writer.Write(position.Topic);
                    writer.Write(position.Partition);
                    writer.Write(position.Offset);
                }
            }

            return stream.ToArray();
        }

        public static bool TryParse(byte[]? value, out Manifest manifest)
        {
            manifest = null!;
            if (value is null)
            {
                return false;
            }

            try
            {
                using var reader = new BinaryReader(new MemoryStream(value), Encoding.UTF8);
                if (reader.ReadString() != Magic)
                {
                    return false;
                }

                var sequence = reader.ReadInt64();
                var chunks = reader.ReadInt32();
                var length = reader.ReadInt32();
                var sha = reader.ReadBytes(32);
                var written = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
                var count = reader.ReadInt32();
                if (chunks <= 0 || length < 0 || sha.Length != 32 || count < 0 || count > 1_000_000)
                {
                    return false;
                }

                var positions = new InputPosition[count];
                for (var i = 0; i < count; i++)
                {
                    positions[i] = new InputPosition(reader.ReadString(), reader.ReadInt32(), reader.ReadInt64());
                }

                manifest = new Manifest(sequence, chunks, length, sha, written, positions);
                return true;
            }
            catch (EndOfStreamException)
            {
                return false;
            }
        }

        /// <summary>The state, if every chunk of this snapshot is there and the bytes hash to what was written.</summary>
        /// <remarks>Nothing is allocated on the manifest's word: a forged length or chunk count finds no chunks to match.</remarks>
        public byte[]? Assemble(string task, Dictionary<string, byte[]> chunks)
        {
            var parts = new List<byte[]>();
            long length = 0;
            for (var i = 0; i < Chunks; i++)
            {
                if (!chunks.TryGetValue(Chunk.Key(task, Sequence, i), out var value) || !Chunk.Matches(value, Sequence, i))
                {
                    return null;
                }

                parts.Add(value);
                length += value.Length - Chunk.HeaderBytes;
            }

            if (length != Length)
            {
                return null;
            }

            var state = new byte[Length];
            var at = 0;
            foreach (var part in parts)
            {
                part.AsSpan(Chunk.HeaderBytes).CopyTo(state.AsSpan(at));
                at += part.Length - Chunk.HeaderBytes;
            }

            return SHA256.HashData(state).AsSpan().SequenceEqual(Sha256) ? state : null;
        }
    }
}
