using System.Globalization;
using System.Text;
using Vigil.Features;

namespace Vigil.Tests.Features;

public sealed class FeatureValuesTests
{
    private static string Written(double value)
    {
        var buffer = new byte[FeatureValues.MaxLength];
        return Encoding.UTF8.GetString(buffer, 0, FeatureValues.Write(value, buffer));
    }

    /// <summary>What the writer must produce: a whole number without fraction, else the shortest text that reads back.</summary>
    private static string Shortest(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? ((long)value).ToString(CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(206.13, "206.13")]
    [InlineData(206.1, "206.1")]
    [InlineData(-0.05, "-0.05")]
    [InlineData(0.5, "0.5")]
    [InlineData(12.0, "12")]
    [InlineData(-3.0, "-3")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(1e-7, "1E-07")]
    [InlineData(123456789012.34, "123456789012.34")]
    public void A_value_is_written_in_the_shortest_text_that_reads_back(double value, string expected)
    {
        Assert.Equal(expected, Written(value));
        Assert.Equal(value, double.Parse(expected, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Sums_of_cents_and_arbitrary_values_are_written_as_the_shortest_round_trip_format_writes_them()
    {
        var random = new Random(7);
        for (var i = 0; i < 200_000; i++)
        {
            var value = (i % 4) switch
            {
                0 => random.NextInt64(-10_000_000_000, 10_000_000_000) / 100.0,
                1 => Enumerable.Range(0, random.Next(1, 30)).Sum(_ => random.Next(1, 100_000) / 100.0), // a window's sum, added up in doubles
                2 => random.NextDouble() * Math.Pow(10, random.Next(-6, 14)),
                _ => -random.NextDouble() * 1000,
            };
            Assert.Equal(Shortest(value), Written(value));
        }
    }

    [Fact]
    public void Nan_writes_nothing_and_a_short_destination_is_refused()
    {
        Assert.Equal(string.Empty, Written(double.NaN));
        Assert.Throws<ArgumentException>(() => FeatureValues.Write(1.5, new byte[4]));
    }
}
