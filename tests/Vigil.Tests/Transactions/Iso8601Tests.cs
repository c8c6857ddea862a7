using System.Text;
using Vigil.Transactions;

namespace Vigil.Tests.Transactions;

public class Iso8601Tests
{
    [Theory]
    [InlineData("2018-04-01", "2018-04-01T00:00:00Z")]
    [InlineData("2018-04-01T00:00:31Z", "2018-04-01T00:00:31Z")]
    [InlineData("2018-04-01 00:00:31", "2018-04-01T00:00:31Z")]
    [InlineData("2018-04-01T13:45", "2018-04-01T13:45:00Z")]
    [InlineData("2018-04-01T00:00:31.5Z", "2018-04-01T00:00:31.500Z")]
    [InlineData("2018-04-01T00:00:31.123456789Z", "2018-04-01T00:00:31.123Z")]
    [InlineData("2018-04-01T02:00:00+02:00", "2018-04-01T00:00:00Z")]
    [InlineData("2018-04-01T02:00:00+0200", "2018-04-01T00:00:00Z")]
    [InlineData("2018-03-31T22:00:00-02", "2018-04-01T00:00:00Z")]
    [InlineData("2020-02-29T23:59:59z", "2020-02-29T23:59:59Z")]
    public void Iso8601_parses_dates_times_fractions_and_offsets(string text, string expectedUtc)
    {
        Assert.True(Iso8601.TryParseUtf8(Encoding.UTF8.GetBytes(text), out var ms));

        var expected = DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected.ToUnixTimeMilliseconds(), ms);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2018-4-1")]
    [InlineData("2018-02-29")]
    [InlineData("2018-04-01T24:00:00Z")]
    [InlineData("2018-04-01T10:60")]
    [InlineData("2018-04-01T10:00:61")]
    [InlineData("2018-04-01T10:00:00.Z")]
    [InlineData("2018-04-01T10:00:00+25:00")]
    [InlineData("2018-04-01T10:00:00 UTC")]
    [InlineData("2018-04-01X10:00:00")]
    [InlineData("yesterday")]
    public void Iso8601_rejects_what_is_not_a_valid_date_time(string text)
    {
        Assert.False(Iso8601.TryParseUtf8(Encoding.UTF8.GetBytes(text), out _));
    }

    [Theory]
    [InlineData("2018-04-01T00:00:31Z", false)]
    [InlineData("2018-04-01 00:00:31", true)]
    [InlineData("2020-02-29T23:59:59.250Z", false)]
    [InlineData("1970-01-01T00:00:00Z", false)]
    [InlineData("9999-12-31T23:59:59.999Z", false)]
    public void Iso8601_writes_what_it_parses(string text, bool handbookStyle)
    {
        Assert.True(Iso8601.TryParseUtf8(Encoding.UTF8.GetBytes(text), out var ms));
        var buffer = new byte[Iso8601.MaxLength];

        var written = Iso8601.Write(ms, buffer, handbookStyle);

        Assert.Equal(text, Encoding.UTF8.GetString(buffer, 0, written));
    }
}
