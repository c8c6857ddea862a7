using System.Text;
using Vigil.Labels;
using Vigil.Transactions;

namespace Vigil.Tests.Quality;

public sealed class LabelDecoderTests
{
    [Theory]
    [InlineData("""{"transaction_id":42,"timestamp":"2018-04-01T00:00:31Z","amount":57.16,"fraud":1,"fraud_scenario":2,"reported_at":"x"}""", 42, true, 57.16, 2)]
    [InlineData("""{"transaction_id":"42","fraud":false}""", 42, false, 0, 0)]
    [InlineData("""{"fraud":true,"transaction_id":-7,"amount":3}""", -7, true, 3, 0)]
    public void Labels_decode_with_their_key_truth_amount_and_scenario(string json, long key, bool fraud, double amount, int scenario)
    {
        Assert.True(LabelDecoder.TryDecode(Encoding.UTF8.GetBytes(json), out var label, out _));

        Assert.Equal(new Label(key, fraud, amount, scenario), label);
    }

    [Fact]
    public void An_analyst_s_verdict_is_told_apart_from_a_report_and_a_report_an_analyst_confirmed_counts_no_more()
    {
        Assert.True(LabelDecoder.TryDecode("""{"analyst":"alice","transaction_id":7,"fraud":1,"amount":5,"fraud_scenario":0,"timestamp":"2018-04-02T00:00:00Z"}"""u8, out var verdict, out _));
        Assert.True(LabelDecoder.TryDecode("""{"transaction_id":7,"fraud":1,"amount":5,"fraud_scenario":0,"analyst":"late: never read"}"""u8, out var report, out _));

        Assert.Equal(new Label(7, true, 5, 0) { IsVerdict = true }, verdict);
        Assert.False(report.IsVerdict); // read stops after the four fields a report leads with

        Assert.True(Vigil.Features.FraudReport.TryDecode("""{"transaction_id":7,"fraud":1,"timestamp":"2018-04-02T00:00:00Z","customer_id":3,"confirmed_by":"alice"}"""u8, out var confirmed));
        Assert.True(Vigil.Features.FraudReport.TryDecode("""{"transaction_id":7,"fraud":1,"timestamp":"2018-04-02T00:00:00Z","customer_id":3}"""u8, out var plain));
        Assert.Equal((true, true, false), (confirmed.IsFraud, confirmed.CountedAlready, confirmed.Counts));
        Assert.Equal((false, true), (plain.CountedAlready, plain.Counts));
    }

    [Theory]
    [InlineData("""{"fraud":1}""", "transaction_id is missing")]
    [InlineData("""{"transaction_id":1}""", "fraud is missing")]
    [InlineData("""{"transaction_id":1,"fraud":2}""", "fraud must be 0, 1, true or false")]
    [InlineData("""[1]""", "a label is a JSON object")]
    [InlineData("""{"transaction_id":1,""", "not valid JSON")]
    public void Records_that_are_not_labels_say_why(string json, string reason)
    {
        Assert.False(LabelDecoder.TryDecode(Encoding.UTF8.GetBytes(json), out _, out var error));

        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_are_the_same_for_a_number_and_its_text_and_hash_other_ids()
    {
        Assert.Equal(123, TransactionKey.Of("123"u8));
        Assert.Equal(TransactionKey.Of("t-001"u8), TransactionKey.Of("t-001"u8));
        Assert.NotEqual(TransactionKey.Of("t-001"u8), TransactionKey.Of("t-002"u8));
        Assert.True(TransactionKey.TryRead("""{"transaction_id":"t\u002d001","amount":1}"""u8, out var escaped));
        Assert.Equal(TransactionKey.Of("t-001"u8), escaped);
        Assert.True(TransactionKey.TryRead("""{"amount":1,"nested":{"transaction_id":5},"transaction_id":6}"""u8, out var topLevel));
        Assert.Equal(6, topLevel);
        Assert.False(TransactionKey.TryRead("""{"amount":1}"""u8, out _));
        Assert.False(TransactionKey.TryRead("not json"u8, out _));
    }
}
