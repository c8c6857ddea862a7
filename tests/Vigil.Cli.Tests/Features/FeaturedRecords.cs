using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Vigil.Cli.Tests.Commands;

namespace Vigil.Cli.Tests.Features;

/// <summary>What the feature service wrote to the featured topic, checked against the batch computation of the same data.</summary>
internal static class FeaturedRecords
{
    public static bool IsReplayed(ConsumeResult<byte[], byte[]> record) =>
        record.Message.Headers?.TryGetLastBytes("vigil.replayed", out var value) == true && System.Text.Encoding.UTF8.GetString(value) == "true";

    public static long Id(ConsumeResult<byte[], byte[]> record) =>
        JsonDocument.Parse(record.Message.Value).RootElement.GetProperty("transaction_id").GetInt64();

    /// <summary>
    /// Transactions written twice (after a takeover) were written exactly twice, the same both times, the second copy
    /// marked; nothing else is marked. Returns how many were written twice.
    /// </summary>
    public static int AssertReplaysMarked(IReadOnlyList<ConsumeResult<byte[], byte[]>> featured)
    {
        var duplicated = AssertDuplicatesIdentical(featured);
        Assert.All(duplicated, copies => Assert.Single(copies, IsReplayed));
        Assert.Equal(duplicated.Count, featured.Count(IsReplayed));
        return duplicated.Count;
    }

    /// <summary>
    /// As <see cref="AssertReplaysMarked"/>, where a member that lost its session in an outage may still have written
    /// after its successor took over: duplicates are identical and at most one copy is marked, but one may be unmarked
    /// (docs/FEATURES.md, "Guarantee"). Returns how many were written twice and how many of those were not marked.
    /// </summary>
    public static (int Duplicated, int Unmarked) AssertReplaysIdenticalMarkedAtMostOnce(IReadOnlyList<ConsumeResult<byte[], byte[]>> featured)
    {
        var duplicated = AssertDuplicatesIdentical(featured);
        Assert.All(duplicated, copies => Assert.True(copies.Count(IsReplayed) <= 1, $"transaction {copies.Key} marked twice"));
        var marked = featured.Where(IsReplayed).Select(Id).ToHashSet();
        Assert.All(marked, id => Assert.Contains(duplicated, d => d.Key == id)); // nothing written once is marked
        return (duplicated.Count, duplicated.Count - marked.Count);
    }

    private static List<IGrouping<long, ConsumeResult<byte[], byte[]>>> AssertDuplicatesIdentical(IReadOnlyList<ConsumeResult<byte[], byte[]>> featured)
    {
        var duplicated = featured.GroupBy(Id).Where(g => g.Count() > 1).ToList();
        foreach (var copies in duplicated)
        {
            Assert.Equal(2, copies.Count());
            Assert.Single(copies.Select(r => System.Text.Encoding.UTF8.GetString(r.Message.Value)).Distinct());
        }

        return duplicated;
    }

    /// <summary>The simulation written to a file and computed by <c>vigil features --data</c>.</summary>
    public static async Task<Batch> BatchAsync(string directory, string[] simulation)
    {
        var file = Path.Combine(directory, "sim.csv");
        var batch = Path.Combine(directory, "features.csv");
        Assert.Equal(0, (await CliRunner.RunAsync(["generate", "--out", file, .. simulation])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["features", "--data", file, "--out", batch, "--feature-set", "handbook"])).ExitCode);
        var rows = File.ReadAllLines(batch).Skip(1).Select(l => l.Split(',')).ToDictionary(r => long.Parse(r[0], CultureInfo.InvariantCulture));
        return new Batch(File.ReadLines(batch).First().Split(','), rows);
    }

    public sealed record Batch(string[] Header, Dictionary<long, string[]> Rows)
    {
        /// <summary>Every featured record has the batch computation's features.</summary>
        public void AssertSame(IEnumerable<ConsumeResult<byte[], byte[]>> featured)
        {
            var risky = 0;
            foreach (var record in featured)
            {
                var root = JsonDocument.Parse(record.Message.Value).RootElement;
                var row = Rows[root.GetProperty("transaction_id").GetInt64()];
                var features = root.GetProperty("features");
                for (var f = 7; f < Header.Length; f++)
                {
                    // Kafka does not order records across topics: a label may come a little later than on the embedded
                    // runtime, so risks are compared only where the batch computation has none.
                    if (Header[f].Contains("_RISK_", StringComparison.Ordinal) && double.Parse(row[f], CultureInfo.InvariantCulture) > 0)
                    {
                        risky++;
                        continue;
                    }

                    var (expected, actual) = (double.Parse(row[f], CultureInfo.InvariantCulture), features.GetProperty(Header[f]).GetDouble());
                    Assert.True(Math.Abs(expected - actual) < 1e-9, $"transaction {row[0]} at {row[1]}: {Header[f]} is {actual}, the batch computation says {expected}");
                }
            }

            Assert.True(risky > 0);
        }
    }
}
