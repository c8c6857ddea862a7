namespace Vigil.Runtime.Topics;

/// <summary>Kafka's default key partitioner (murmur2, as in the Java client), so keys land where Kafka puts them.</summary>
public static class Murmur2Partitioner
{
    public static int PartitionFor(ReadOnlySpan<byte> key, int partitions) =>
        (Hash(key) & 0x7fffffff) % partitions;

    public static int Hash(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = 0x9747b28c ^ (uint)length;
        var whole = length & ~3;
        for (var i = 0; i < whole; i += 4)
        {
            var k = data[i] | ((uint)data[i + 1] << 8) | ((uint)data[i + 2] << 16) | ((uint)data[i + 3] << 24);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[whole + 2] << 16;
                h ^= (uint)data[whole + 1] << 8;
                h ^= data[whole];
                h *= m;
                break;
            case 2:
                h ^= (uint)data[whole + 1] << 8;
                h ^= data[whole];
                h *= m;
                break;
            case 1:
                h ^= data[whole];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
