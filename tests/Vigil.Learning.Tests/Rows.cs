using Vigil.Learning.Data;

namespace Vigil.Learning.Tests;

/// <summary>Small training sets built by hand: one row per entry, an hour apart, each its own card unless given.</summary>
internal static class Rows
{
    public static readonly long Start = new DateTimeOffset(2018, 7, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public static TrainingSet Of(string[] inputs, IReadOnlyList<(double[] Values, int Label)> rows, int[]? cards = null, long[]? times = null) =>
        new(inputs, [.. rows.SelectMany(r => r.Values)], [.. rows.Select(r => (byte)r.Label)],
            times ?? [.. rows.Select((_, i) => Start + (i * 3_600_000L))], cards ?? [.. rows.Select((_, i) => i)]);

    /// <summary>Points around the four corners of a square, labelled by XOR of their quadrant: no line separates them.</summary>
    public static TrainingSet Xor(int perCorner, int seed)
    {
        var random = new Random(seed);
        var rows = new List<(double[], int)>();
        for (var i = 0; i < perCorner; i++)
        {
            foreach (var (x, y) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
            {
                rows.Add(([x + ((random.NextDouble() - 0.5) * 0.6), y + ((random.NextDouble() - 0.5) * 0.6)], x ^ y));
            }
        }

        return Of(["x", "y"], rows);
    }
}
