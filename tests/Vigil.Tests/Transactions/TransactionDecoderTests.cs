using System.Text;
using Vigil.Transactions;

namespace Vigil.Tests.Transactions;

public class TransactionDecoderTests
{
    private readonly TransactionDecoder _decoder = new();
    private readonly Transaction _transaction = new();

    private Transaction Decode(string json)
    {
        var ok = _decoder.TryDecode(Encoding.UTF8.GetBytes(json), _transaction, out var failure);
        Assert.True(ok, failure?.Reason);
        return _transaction;
    }

    [Fact]
    public void Decoder_reads_the_seed_message()
    {
        var t = Decode("""{"source":"Jpe2zq1QDYTn","target":"lLbLnl0FSr7T","amount":254.83,"currency":"EUR"}""");

        Assert.Equal("Jpe2zq1QDYTn", t.Text(t.Source));
        Assert.Equal("lLbLnl0FSr7T", t.Text(t.Target));
        Assert.Equal(254.83, t.Amount);
        Assert.Equal("EUR", t.Text(t.Currency));
        Assert.False(t.HasTimestamp);
        Assert.False(t.CustomerId.IsPresent);
        Assert.Equal(0, t.Numbers.Count);
    }

    [Fact]
    public void Decoder_reads_the_rich_shape_and_keeps_extra_numbers_for_models()
    {
        var t = Decode("""
            {"transaction_id": 17, "timestamp": "2018-04-01T00:00:31Z", "customer_id": 596,
             "terminal_id": "T3156", "amount": 57.16, "currency": "EUR",
             "V1": -1.3598, "V2": 0.0728, "Class": 0, "note": "kept", "meta": {"a": [1, 2]}, "flag": true}
            """);

        Assert.Equal("17", t.Text(t.TransactionId));
        Assert.True(t.TransactionId.IsNumber);
        Assert.Equal(new DateTimeOffset(2018, 4, 1, 0, 0, 31, TimeSpan.Zero).ToUnixTimeMilliseconds(), t.TimestampMs);
        Assert.Equal("596", t.Text(t.CustomerId));
        Assert.Equal("T3156", t.Text(t.TerminalId));
        Assert.Equal(57.16, t.Amount);
        Assert.Equal(3, t.Numbers.Count);
        Assert.Equal("V1", t.Numbers.Name(0));
        Assert.Equal(-1.3598, t.Numbers[0]);
        Assert.True(t.Numbers.TryGet("Class"u8, out var label));
        Assert.Equal(0, label);
        Assert.False(t.Numbers.TryGet("note"u8, out _));
    }

    [Fact]
    public void Decoder_takes_epoch_milliseconds_as_timestamp()
    {
        var t = Decode("""{"amount": 1, "timestamp": 1522540831000}""");

        Assert.True(t.HasTimestamp);
        Assert.Equal(1522540831000, t.TimestampMs);
    }

    [Fact]
    public void Decoder_unescapes_strings_on_request_but_keeps_raw_bytes()
    {
        var t = Decode("""{"amount": 1, "source": "a\"b\u00e9"}""");

        Assert.True(t.Source.IsEscaped);
        Assert.Equal("a\"bé", t.Text(t.Source));
        Assert.Equal("a\\\"b\\u00e9"u8.ToArray(), t.Raw(t.Source).ToArray());
    }

    [Theory]
    [InlineData("""{"amount": 0}""", 0)]
    [InlineData("""{"amount": -0}""", 0)]
    [InlineData("""{"amount": 1e3}""", 1000)]
    [InlineData("""{"amount": 900}""", 900)]
    [InlineData("""{ "amount" : 12.5 , "currency" : null }""", 12.5)]
    public void Decoder_accepts_any_finite_non_negative_number_as_amount(string json, double expected)
    {
        Assert.Equal(expected, Decode(json).Amount);
    }

    [Fact]
    public void Decoder_treats_null_identifiers_as_absent()
    {
        var t = Decode("""{"amount": 1, "customer_id": null, "timestamp": null, "source": null}""");

        Assert.False(t.CustomerId.IsPresent);
        Assert.False(t.Source.IsPresent);
        Assert.False(t.HasTimestamp);
    }

    [Theory]
    [MemberData(nameof(BadRecordCorpus.All), MemberType = typeof(BadRecordCorpus))]
    public void Decoder_rejects_every_bad_record_with_its_reason(string name, byte[] record, DecodeError expected)
    {
        var ok = _decoder.TryDecode(record, _transaction, out var failure);

        Assert.False(ok, name);
        Assert.NotNull(failure);
        Assert.Equal(expected, failure.Code);
        Assert.False(string.IsNullOrWhiteSpace(failure.Reason));
        Assert.DoesNotContain('\n', failure.Reason);
    }

    [Fact]
    public void Decoder_reasons_name_the_problem()
    {
        _decoder.TryDecode("""{"amount": -3.5}"""u8.ToArray(), _transaction, out var negative);
        _decoder.TryDecode("""{"amount": "12"}"""u8.ToArray(), _transaction, out var wrongType);
        _decoder.TryDecode(BadRecordCorpus.OverOneMebibyte(), _transaction, out var tooLarge);

        Assert.Equal("amount is negative (-3.5)", negative!.Reason);
        Assert.Equal("amount must be a JSON number, got a string", wrongType!.Reason);
        Assert.StartsWith("record is 1,048,604 bytes", tooLarge!.Reason, StringComparison.Ordinal);
        Assert.EndsWith("the limit is 1,048,576", tooLarge.Reason, StringComparison.Ordinal);
        Assert.Equal("amount_negative", negative.CodeName);
    }

    [Fact]
    public void Decoder_honours_a_smaller_size_limit()
    {
        var decoder = new TransactionDecoder(maxRecordBytes: 10);

        Assert.False(decoder.TryDecode("""{"amount": 12345}"""u8.ToArray(), _transaction, out var failure));
        Assert.Equal(DecodeError.TooLarge, failure!.Code);
    }

    [Fact]
    public void Decoder_reuses_the_transaction_without_leaking_fields_between_records()
    {
        Decode("""{"amount": 1, "customer_id": "c1", "timestamp": 5, "V1": 2}""");
        var t = Decode("""{"amount": 2}""");

        Assert.False(t.CustomerId.IsPresent);
        Assert.False(t.HasTimestamp);
        Assert.Equal(0, t.Numbers.Count);
    }

    [Theory]
    [InlineData(DecodeError.TooLarge, "too_large")]
    [InlineData(DecodeError.NotUtf8, "not_utf8")]
    [InlineData(DecodeError.AmountNotFinite, "amount_not_finite")]
    [InlineData(DecodeError.BadTimestamp, "bad_timestamp")]
    public void Error_codes_are_written_in_snake_case(DecodeError code, string name)
    {
        Assert.Equal(name, new DecodeFailure(code, "reason").CodeName);
    }

    [Fact]
    public void Decoder_keeps_the_feature_stages_values_apart_from_the_records_own_numbers()
    {
        var t = Decode("""{"amount":5,"V1":2.5,"features":{"customer_nb_tx_1d":3,"terminal_risk_7d":null,"note":"x","nested":{"a":1}},"after":7}""");

        Assert.True(t.HasFeatures);
        Assert.Equal(2, t.Features.Count);
        Assert.Equal("customer_nb_tx_1d", t.Features.Name(0));
        Assert.Equal(3, t.Features[0]);
        Assert.True(double.IsNaN(t.Features[1]));
        Assert.Equal(["V1", "after"], Enumerable.Range(0, t.Numbers.Count).Select(t.Numbers.Name));
        Assert.False(Decode("""{"amount":5}""").HasFeatures);
        Assert.Equal(0, Decode("""{"amount":5,"features":null}""").Features.Count);
    }

    [Fact]
    public void Decoder_rejects_features_that_are_not_an_object()
    {
        var ok = _decoder.TryDecode("""{"amount":5,"features":[1,2]}"""u8.ToArray(), _transaction, out var failure);

        Assert.False(ok);
        Assert.Equal("features must be an object of numbers, got an array", failure!.Reason);
    }
}
