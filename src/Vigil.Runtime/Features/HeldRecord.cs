namespace Vigil.Runtime.Features;

/// <summary>A transaction copied out of its batch while it waits for the watermark; its bytes come from its task's <see cref="HeldRecordPool"/>.</summary>
/// <param name="Entered">Stopwatch timestamp of when the record entered Vigil, for the decision's latency.</param>
internal readonly record struct HeldRecord(byte[] Bytes, int KeyLength, int ValueLength, int Partition, long Offset, bool HasTime, long Entered)
{
    public ReadOnlySpan<byte> Key => Bytes.AsSpan(0, KeyLength);

    public ReadOnlyMemory<byte> Value => Bytes.AsMemory(KeyLength, ValueLength);

}

/// <summary>Order of release: event time, then input partition, then offset, so that equal times resolve the same way on every run.</summary>
internal readonly record struct EventOrder(long TimeMs, int Partition, long Offset) : IComparable<EventOrder>
{
    public int CompareTo(EventOrder other)
    {
        var c = TimeMs.CompareTo(other.TimeMs);
        if (c != 0)
        {
            return c;
        }

        c = Partition.CompareTo(other.Partition);
        return c != 0 ? c : Offset.CompareTo(other.Offset);
    }
}
