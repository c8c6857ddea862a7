using System.Numerics;

namespace Vigil.Runtime.Features;

/// <summary>The byte arrays of the records one task holds while they wait for the watermark, kept for reuse.</summary>
/// <remarks>
/// One task rents and returns them, never two threads at once, so the pool takes no lock. The shared
/// <see cref="System.Buffers.ArrayPool{T}"/> keeps a few dozen arrays of a size per core: a task holding thousands of
/// records rented most of them new, and those that were held across a collection were promoted, so every gen0
/// collection copied megabytes and paused the pipeline for 10–20 ms (docs/PERFORMANCE.md). Here the arrays live as
/// long as the task, up to <see cref="MaxPooledBytes"/> of them.
/// </remarks>
internal sealed class HeldRecordPool
{
    /// <summary>Arrays kept once returned, in bytes; past it a returned array is left to the collector.</summary>
    public const long MaxPooledBytes = 64L * 1024 * 1024;

    private const int SmallestShift = 8; // 256 bytes
    private const int LargestShift = 16; // 64 KiB: larger records get an array of their own

    private readonly Stack<byte[]>[] _free = new Stack<byte[]>[LargestShift - SmallestShift + 1];
    private long _pooledBytes;

    public HeldRecordPool()
    {
        for (var i = 0; i < _free.Length; i++)
        {
            _free[i] = new Stack<byte[]>();
        }
    }

    /// <summary>Bytes in arrays waiting to be rented again.</summary>
    public long PooledBytes => _pooledBytes;

    /// <summary>Copies a record out of its batch into a pooled array.</summary>
    public HeldRecord Copy(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int partition, long offset, bool hasTime, long entered)
    {
        var bytes = Rent(key.Length + value.Length);
        key.CopyTo(bytes);
        value.CopyTo(bytes.AsSpan(key.Length));
        return new HeldRecord(bytes, key.Length, value.Length, partition, offset, hasTime, entered);
    }

    /// <summary>Takes back a record's array once the record is released; the record must not be read after.</summary>
    public void Return(in HeldRecord record)
    {
        var bytes = record.Bytes;
        var bucket = Bucket(bytes.Length);
        if (bucket < 0 || bytes.Length != 1 << (bucket + SmallestShift) || _pooledBytes + bytes.Length > MaxPooledBytes)
        {
            return;
        }

        _free[bucket].Push(bytes);
        _pooledBytes += bytes.Length;
    }

    private byte[] Rent(int length)
    {
        var bucket = Bucket(length);
        if (bucket < 0)
        {
            return new byte[length];
        }

        if (_free[bucket].TryPop(out var bytes))
        {
            _pooledBytes -= bytes.Length;
            return bytes;
        }

        return new byte[1 << (bucket + SmallestShift)];
    }

    /// <summary>The bucket of arrays with room for <paramref name="length"/> bytes, or -1 past the largest.</summary>
    private static int Bucket(int length)
    {
        var shift = length <= 1 << SmallestShift ? SmallestShift : BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)length));
        return shift > LargestShift ? -1 : shift - SmallestShift;
    }
}
