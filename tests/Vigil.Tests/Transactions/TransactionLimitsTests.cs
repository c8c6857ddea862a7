using System.Text;
using Vigil.Transactions;

namespace Vigil.Tests.Transactions;

public class TransactionLimitsTests
{
    [Theory]
    [InlineData("12.5", 12.5)]
    [InlineData("-0", 0)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5)]
    [InlineData("1e3", 1000)]
    [InlineData("2.5E-2", 0.025)]
    public void Numbers_written_plainly_are_read(string text, double expected)
    {
        Assert.True(TransactionLimits.TryParseNumber(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData(" 12.5 ")]
    [InlineData("+5")]
    [InlineData("0x10")]
    [InlineData("1_000")]
    [InlineData("1,5")]
    [InlineData("5e")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("--5")]
    public void Anything_else_is_not_a_number(string text) =>
        Assert.False(TransactionLimits.TryParseNumber(Encoding.ASCII.GetBytes(text), out _));

    [Theory]
    [InlineData(-1, DecodeError.AmountNegative)]
    [InlineData(double.PositiveInfinity, DecodeError.AmountNotFinite)]
    [InlineData(21_474_836.48, DecodeError.AmountTooLarge)]
    public void Amounts_outside_the_policy_are_refused_with_their_code(double amount, DecodeError code) =>
        Assert.Equal(code, TransactionLimits.CheckAmount(amount, "x"u8)!.Code);

    [Fact]
    public void The_largest_amount_is_what_the_windows_keep_to_the_cent() =>
        Assert.Null(TransactionLimits.CheckAmount(21_474_836.47, "x"u8));

    [Theory]
    [InlineData("0", false)]
    [InlineData("1", true)]
    [InlineData("1.0", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    public void Labels_are_0_1_true_or_false(string text, bool fraud)
    {
        Assert.True(TransactionLimits.TryParseFlag(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(fraud, value);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("maybe")]
    [InlineData("")]
    public void Other_labels_are_refused(string text) => Assert.False(TransactionLimits.TryParseFlag(Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void Input_shown_in_a_reason_has_no_control_characters_or_raw_bytes()
    {
        Assert.Equal("a\\u0001b\\u001B[31m", TransactionLimits.Show("a\u0001b\u001b[31m"));
        Assert.Equal("ab\\xFF\\xFEc", TransactionLimits.Show([(byte)'a', (byte)'b', 0xFF, 0xFE, (byte)'c']));
        Assert.Equal("€ 5", TransactionLimits.Show("€ 5"u8));
        Assert.Equal(new string('x', 64) + "…", TransactionLimits.Show(new string('x', 100)));
    }
}
