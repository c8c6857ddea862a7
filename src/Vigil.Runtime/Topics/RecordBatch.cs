using System.Diagnostics;

namespace Vigil.Runtime.Topics;

/// <summary>Records appended and delivered together: contiguous bytes plus an index, like a Kafka record batch.</summary>
/// <remarks>
/// Batches come from a <see cref="BatchPool"/> and go back to it when every subscriber has released them,
/// so a running pipeline recycles a bounded set of buffers instead of allocating per record.
/// </remarks>
public sealed class RecordBatch
{
    private readonly BatchPool? _pool;
    private byte[] _bytes;
    private Entry[] _entries;
    private IReadOnlyList<RecordHeader>?[]? _headers;
    private int _used;
    private int _references;
    private int _pendingKeyStart = -1;
    private int _pendingKeyLength;

    internal RecordBatch(int capacityBytes, int capacityRecords, BatchPool? pool)
    {
        _bytes = GC.AllocateUninitializedArray<byte>(capacityBytes);
        _entries = new Entry[capacityRecords];
        _pool = pool;
        _references = 1;
    }

    /// <summary>The topic this batch was published to; empty before publication.</summary>
    public string Topic { get; internal set; } = string.Empty;

    public int Partition { get; internal set; }

    /// <summary>The offset of the first record; offsets are consecutive within a batch.</summary>
    public long BaseOffset { get; internal set; }

    /// <summary>Stopwatch timestamp of the first append (or earlier, see <see cref="EnteredAt"/>): when the oldest record here entered Vigil.</summary>
    public long CreatedTimestamp { get; private set; }

    public int Count { get; private set; }

    public int SizeBytes => _used;

    public bool IsEmpty => Count == 0;

    public long Offset(int index) => BaseOffset + index;

    public ReadOnlySpan<byte> Key(int index) => _bytes.AsSpan(_entries[index].KeyStart, _entries[index].KeyLength);

    public ReadOnlySpan<byte> Value(int index) => _bytes.AsSpan(_entries[index].ValueStart, _entries[index].ValueLength);

    public ReadOnlyMemory<byte> ValueMemory(int index) =>
        _bytes.AsMemory(_entries[index].ValueStart, _entries[index].ValueLength);

    public IReadOnlyList<RecordHeader>? Headers(int index) => _headers?[index];

    /// <summary>Bytes a record with this key and value occupies.</summary>
    public static int SizeOf(int keyLength, int valueLength) => keyLength + valueLength;

    internal bool HasRoomFor(int keyLength, int valueLength) =>
        Count < _entries.Length && _used + SizeOf(keyLength, valueLength) <= _bytes.Length;

    /// <summary>Dates the batch back to when a record copied into it entered Vigil, so that latency counts from there.</summary>
    internal void EnteredAt(long timestamp)
    {
        if (timestamp > 0 && timestamp < CreatedTimestamp)
        {
            CreatedTimestamp = timestamp;
        }
    }

    /// <summary>Copies the key and returns room for the value, to be encoded in place and then committed.</summary>
    internal Span<byte> BeginAppend(ReadOnlySpan<byte> key, int maxValueLength)
    {
        Debug.Assert(HasRoomFor(key.Length, maxValueLength), "Callers check the room first.");
        if (Count == 0)
        {
            CreatedTimestamp = Stopwatch.GetTimestamp();
        }

        _pendingKeyStart = _used;
        _pendingKeyLength = key.Length;
        key.CopyTo(_bytes.AsSpan(_used));
        return _bytes.AsSpan(_used + key.Length, maxValueLength);
    }

    internal void EndAppend(int valueLength, IReadOnlyList<RecordHeader>? headers = null)
    {
        Debug.Assert(_pendingKeyStart >= 0, "BeginAppend comes first.");
        var valueStart = _pendingKeyStart + _pendingKeyLength;
        _entries[Count] = new Entry(_pendingKeyStart, _pendingKeyLength, valueStart, valueLength);
        if (headers is not null)
        {
            _headers ??= new IReadOnlyList<RecordHeader>?[_entries.Length];
            _headers[Count] = headers;
        }

        _used = valueStart + valueLength;
        _pendingKeyStart = -1;
        Count++;
    }

    /// <summary>Adds references for subscribers that will each release the batch once.</summary>
    internal void Retain(int count) => Interlocked.Add(ref _references, count);

    /// <summary>Releases one reference; the last one returns the batch to its pool.</summary>
    /// <remarks>A rented batch holds one reference, its owner's, until it is published or given up.</remarks>
    public void Release()
    {
        var remaining = Interlocked.Decrement(ref _references);
        if (remaining == 0)
        {
            _pool?.Return(this);
        }
        else if (remaining < 0)
        {
            throw new InvalidOperationException("A record batch was released more often than it was retained.");
        }
    }

    internal void Reset()
    {
        if (_headers is not null)
        {
            Array.Clear(_headers, 0, Count);
        }

        Count = 0;
        _used = 0;
        _references = 1;
        _pendingKeyStart = -1;
        Topic = string.Empty;
        Partition = 0;
        BaseOffset = 0;
        CreatedTimestamp = 0;
    }

    private readonly record struct Entry(int KeyStart, int KeyLength, int ValueStart, int ValueLength);
}
