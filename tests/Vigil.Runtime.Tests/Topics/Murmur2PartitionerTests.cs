using System.Text;
using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Tests.Topics;

public class Murmur2PartitionerTests
{
    // The cases of Kafka's own UtilsTest.testMurmur2, so keys land on the partitions the Java client picks.
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_kafka(string key, int expected)
    {
        Assert.Equal(expected, Murmur2Partitioner.Hash(Encoding.ASCII.GetBytes(key)));
    }

    [Fact]
    public void Partition_is_non_negative_and_below_the_count()
    {
        for (var i = 0; i < 1000; i++)
        {
            var partition = Murmur2Partitioner.PartitionFor(Encoding.ASCII.GetBytes($"key-{i}"), 7);
            Assert.InRange(partition, 0, 6);
        }
    }
}
