using Vigil.Runtime.Features;

namespace Vigil.Runtime.Tests.Features;

/// <summary>The task-owned arrays that held records are copied into.</summary>
public class HeldRecordPoolTests
{
    [Fact]
    public void A_record_is_copied_whole_and_its_array_serves_the_next_record_of_its_size()
    {
        var pool = new HeldRecordPool();
        var first = pool.Copy("key-1"u8, "{\"amount\":12.5}"u8, partition: 3, offset: 41, hasTime: true, entered: 99);

        Assert.Equal("key-1", System.Text.Encoding.UTF8.GetString(first.Key));
        Assert.Equal("{\"amount\":12.5}", System.Text.Encoding.UTF8.GetString(first.Value.Span));
        Assert.Equal((3, 41L, true, 99L), (first.Partition, first.Offset, first.HasTime, first.Entered));

        var array = first.Bytes;
        pool.Return(first);
        Assert.Equal(array.Length, pool.PooledBytes);
        var second = pool.Copy("k"u8, new byte[200], 0, 0, hasTime: false, entered: 0);
        Assert.Same(array, second.Bytes);
        Assert.Equal(0, pool.PooledBytes);
    }

    [Fact]
    public void Arrays_come_in_sizes_by_powers_of_two_so_that_a_returned_one_fits_any_record_of_its_size()
    {
        var pool = new HeldRecordPool();
        var small = pool.Copy([], new byte[10], 0, 0, hasTime: false, entered: 0);
        var medium = pool.Copy([], new byte[257], 0, 0, hasTime: false, entered: 0);
        var large = pool.Copy([], new byte[5000], 0, 0, hasTime: false, entered: 0);

        Assert.Equal([256, 512, 8192], new[] { small.Bytes.Length, medium.Bytes.Length, large.Bytes.Length });
        pool.Return(medium);
        Assert.NotSame(medium.Bytes, pool.Copy([], new byte[200], 0, 0, hasTime: false, entered: 0).Bytes);
        Assert.Same(medium.Bytes, pool.Copy([], new byte[400], 0, 0, hasTime: false, entered: 0).Bytes);
    }

    [Fact]
    public void A_record_past_the_largest_size_gets_an_array_of_its_own_that_is_not_kept()
    {
        var pool = new HeldRecordPool();
        var huge = pool.Copy([], new byte[100_000], 0, 0, hasTime: false, entered: 0);

        Assert.Equal(100_000, huge.Bytes.Length);
        pool.Return(huge);
        Assert.Equal(0, pool.PooledBytes);
    }

    [Fact]
    public void Returned_arrays_are_kept_only_up_to_the_bound()
    {
        var pool = new HeldRecordPool();
        var count = (int)(HeldRecordPool.MaxPooledBytes / 65_536) + 10;
        var records = Enumerable.Range(0, count).Select(_ => pool.Copy([], new byte[40_000], 0, 0, hasTime: false, entered: 0)).ToList();

        foreach (var record in records)
        {
            pool.Return(record);
        }

        Assert.Equal(HeldRecordPool.MaxPooledBytes, pool.PooledBytes);
    }
}
