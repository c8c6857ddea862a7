using System.Text;
using System.Text.Json;
using Vigil.Simulation.Records;

namespace Vigil.Simulation.Tests.Records;

public sealed class JsonRecordBuilderTests
{
    [Theory]
    [InlineData(100, "1.0")]
    [InlineData(25483, "254.83")]
    [InlineData(25480, "254.8")]
    [InlineData(25403, "254.03")]
    [InlineData(100000, "1000.0")]
    [InlineData(0, "0.0")]
    [InlineData(-1250, "-12.5")]
    public void Amounts_are_printed_as_python_prints_them(long cents, string expected)
    {
        var buffer = new byte[Cents.MaxLength];

        var length = Cents.Write(cents, buffer);

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer, 0, length));
    }

    [Fact]
    public void A_record_with_every_kind_of_value_is_one_line_of_valid_json()
    {
        var builder = new JsonRecordBuilder();
        builder.Begin();
        builder.WholeNumber(JsonRecordBuilder.Name("transaction_id"), 42);
        builder.Timestamp(JsonRecordBuilder.Name("timestamp"), 1_522_540_831_000);
        builder.Amount(JsonRecordBuilder.Name("amount"), 5716);
        builder.Number(JsonRecordBuilder.Name("V1"), -1.3598071336738);
        builder.NumberText(JsonRecordBuilder.Name("V2"), "2.5e-3"u8);
        builder.Text(JsonRecordBuilder.Name("device \"name\""), "a\"b\\c\nd\te\u0001 é"u8);
        builder.End();

        var text = Encoding.UTF8.GetString(builder.Written);
        Assert.DoesNotContain('\n', text);
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal(42, root.GetProperty("transaction_id").GetInt64());
        Assert.Equal("2018-04-01T00:00:31Z", root.GetProperty("timestamp").GetString());
        Assert.Equal(57.16, root.GetProperty("amount").GetDouble());
        Assert.Equal(-1.3598071336738, root.GetProperty("V1").GetDouble());
        Assert.Equal(0.0025, root.GetProperty("V2").GetDouble());
        Assert.Equal("a\"b\\c\nd\te\u0001 é", root.GetProperty("device \"name\"").GetString());
    }

    [Fact]
    public void The_builder_starts_afresh_for_each_record_and_grows_for_large_ones()
    {
        var builder = new JsonRecordBuilder();
        builder.Begin();
        for (var i = 0; i < 400; i++)
        {
            builder.WholeNumber(JsonRecordBuilder.Name($"C{i}"), i);
        }

        builder.End();
        Assert.Equal(400, JsonDocument.Parse(builder.Written.ToArray()).RootElement.EnumerateObject().Count());

        builder.Begin();
        builder.WholeNumber(JsonRecordBuilder.Name("a"), 1);
        builder.End();
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(builder.Written));
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("-12.5", true)]
    [InlineData("1e10", true)]
    [InlineData("1.5E-3", true)]
    [InlineData(".5", false)]
    [InlineData("1.", false)]
    [InlineData("+3", false)]
    [InlineData("01", false)]
    [InlineData("NaN", false)]
    [InlineData("1e", false)]
    [InlineData("", false)]
    public void Only_json_number_literals_are_taken_as_they_are(string text, bool expected) =>
        Assert.Equal(expected, JsonRecordBuilder.IsJsonNumber(Encoding.UTF8.GetBytes(text)));
}
