using System.Text;
using Vigil.Detection;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;

namespace Vigil.Avro.Tests;

/// <summary>
/// Broken and hostile Avro records: each becomes a dead letter with its code and a reason, and the record after it is
/// decided as if it had not been there.
/// </summary>
public sealed class HostileAvroTests
{
    private readonly FixedSchemas _schemas = new();
    private readonly FakeTime _time = new();
    private readonly DetectionProcessor _processor;
    private readonly int _id;
    private readonly byte[] _good;

    public HostileAvroTests()
    {
        _id = _schemas.Add(AvroSchemas.Transaction);
        _processor = new DetectionProcessor(new Detector(RuleSet.AmountThreshold(220)), new AvroRecordCodec(_schemas, "legit", "fraud", maxRecordBytes: 4096, _time));
        _good = AvroRecords.Write(_id, AvroSchemas.Transaction, r => { r.Add("customer_id", "c1"); r.Add("amount", 300.0); });
    }

    public static TheoryData<string, string, string> Corpus() => new()
    {
        // name, hex of the record after a 5-byte header with the transaction schema's id ("" = no header), code
        { "empty", "-", "not_avro" },
        { "four bytes", "-00000001", "not_avro" },
        { "json", "-7b22616d6f756e74223a317d", "not_avro" },
        { "magic byte 1", "-0100000064", "not_avro" },
        { "nothing after the header", "", "not_avro" },
        { "cut inside the amount", "00000000000000f0", "not_avro" },
        { "union branch 9", "12", "not_avro" },
        { "string length past the end", "000000000004ffffff0f", "not_avro" },
        { "negative string length", "000000000004030000", "not_avro" },
        { "varint of eleven bytes", "ffffffffffffffffffffff01", "not_avro" },
        { "bytes after the record", "00000000000000000000f03f00ff", "not_avro" },
        { "customer id not utf-8", "00000404c32800000000000000f03f00", "not_utf8" },
        { "amount NaN", "00000000000000000000f87f00", "amount_not_finite" },
        { "amount negative", "00000000000000000000f0bf00", "amount_negative" },
        { "amount infinite", "00000000000000000000f07f00", "amount_not_finite" },
        { "timestamp before 1970", "0002010000000000000000f03f00", "bad_timestamp" },
        { "timestamp past 9999", "0002feffffffffffffff7f0000000000000000f03f00", "bad_timestamp" },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_broken_record_is_a_dead_letter_with_its_code_and_the_next_record_is_decided(string name, string hex, string code)
    {
        var record = hex.StartsWith('-') ? Convert.FromHexString(hex[1..]) : [0, 0, 0, 0, (byte)_id, .. Convert.FromHexString(hex)];

        AssertDeadLetter(record, code, name);
        AssertGoodRecordStillDecided();
    }

    [Fact]
    public void A_record_over_the_size_limit_is_a_dead_letter()
    {
        AssertDeadLetter([0, 0, 0, 0, (byte)_id, .. new byte[5000]], "too_large", "5,000-byte record");
        AssertGoodRecordStillDecided();
    }

    [Fact]
    public void An_unknown_schema_id_is_a_dead_letter_and_asked_again_only_after_a_pause()
    {
        byte[] unknown = [0, 0, 0, 0x30, 0x39, .. _good[5..]];

        AssertDeadLetter(unknown, "schema_unknown", "unknown id");
        AssertDeadLetter(unknown, "schema_unknown", "unknown id again");
        Assert.Equal(1, _schemas.Fetches); // the second record did not ask
        _time.Advance(TimeSpan.FromSeconds(11));
        AssertDeadLetter(unknown, "schema_unknown", "unknown id after the pause");
        Assert.Equal(2, _schemas.Fetches);
        AssertGoodRecordStillDecided();
    }

    [Fact]
    public void An_unreachable_registry_sends_records_of_new_schemas_to_the_dead_letters_and_known_ones_go_on()
    {
        AssertGoodRecordStillDecided(); // its schema is known from here on
        var other = _schemas.Add(AvroSchemas.Transaction.Replace("\"Transaction\"", "\"Payment\"", StringComparison.Ordinal));
        _schemas.Down = true;

        AssertDeadLetter([0, 0, 0, 0, (byte)other, .. _good[5..]], "schema_unavailable", "registry down");
        AssertGoodRecordStillDecided();
        _schemas.Down = false;
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.NotEqual(Route.DeadLetter, _processor.Decide(new byte[] { 0, 0, 0, 0, (byte)other }.Concat(_good[5..]).ToArray(), "t", 0, 0, out _));
    }

    [Fact]
    public void While_the_registry_is_down_new_schema_ids_fail_at_once_without_asking_it_again()
    {
        _schemas.Down = true;
        AssertDeadLetter([0, 0, 0, 1, 1, .. _good[5..]], "schema_unavailable", "first id");
        var asked = _schemas.Fetches;

        var headers = AssertDeadLetter([0, 0, 0, 1, 2, .. _good[5..]], "schema_unavailable", "second id");

        Assert.Equal(asked, _schemas.Fetches);
        Assert.Contains("not asked again for 10 s", headers["vigil.error.reason"], StringComparison.Ordinal);
        _schemas.Down = false;
        _time.Advance(TimeSpan.FromSeconds(11));
        AssertGoodRecordStillDecided();
    }

    [Fact]
    public void Twelve_thousand_made_up_schema_ids_are_dead_letters_and_the_stream_goes_on()
    {
        for (var i = 0; i < 12_000; i++)
        {
            Assert.Equal(Route.DeadLetter, _processor.Decide(new byte[] { 0, 1, (byte)(i >> 16), (byte)(i >> 8), (byte)i, 0 }, "t", 0, i, out _));
        }

        Assert.Equal(12_000, _schemas.Fetches); // each asked once: a made-up id is not remembered forever, nor asked twice in a row
        AssertGoodRecordStillDecided();
    }

    [Theory]
    [InlineData("""{"type":"record","name":"T","fields":[{"name":"id","type":"long"}]}""", "has no amount field")]
    [InlineData("""{"type":"record","name":"T","fields":[{"name":"amount","type":"string"}]}""", "field amount is of type string; Vigil reads it as double, float, int, long, null")]
    [InlineData("""{"type":"record","name":"T","fields":[{"name":"amount","type":"double"},{"name":"vigil","type":"string"}]}""", "has a field named vigil already")]
    [InlineData("""{"type":"record","name":"T","fields":[{"name":"amount","type":"null"}]}""", "field amount is always null")]
    [InlineData("""{"type":"record","name":"T","fields":[{"name":"amount","type":"double"},{"name":"customer_id","type":{"type":"array","items":"long"}}]}""", "field customer_id is of type array")]
    [InlineData("""{"type":"record","name":"T","fields":[{"name":"amount","type":"double"},{"name":"timestamp","type":{"type":"int","logicalType":"date"}}]}""", "field timestamp is of type int (date)")]
    [InlineData("\"double\"", "the schema is a double, not a record")]
    [InlineData("{not json", "the schema does not parse")]
    public void A_schema_vigil_cannot_read_is_a_dead_letter_saying_why(string schema, string reason)
    {
        var id = _schemas.Add(schema);

        var headers = AssertDeadLetter([0, 0, 0, 0, (byte)id, 0, 0, 0, 0, 0, 0, 0, 0], "schema_unsupported", schema);

        Assert.Contains(reason, headers["vigil.error.reason"], StringComparison.Ordinal);
        AssertGoodRecordStillDecided();
    }

    [Fact]
    public void A_record_nesting_deeper_than_64_levels_is_a_dead_letter_not_a_stack_overflow()
    {
        var id = _schemas.Add("""{"type":"record","name":"T","fields":[{"name":"amount","type":"double"},{"name":"next","type":["null","T"]}]}""");
        var deep = new List<byte> { 0, 0, 0, 0, (byte)id, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f };
        for (var i = 0; i < 100; i++)
        {
            deep.AddRange([2, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
        }

        deep.Add(0);

        AssertDeadLetter([.. deep], "not_avro", "deep");
        AssertGoodRecordStillDecided();
    }

    private Dictionary<string, string> AssertDeadLetter(byte[] record, string code, string name)
    {
        var route = _processor.Decide(record, "t", 0, 1, out var deadLetter);

        Assert.True(route == Route.DeadLetter, $"{name}: decided as {route}");
        var headers = deadLetter!.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.Value));
        Assert.Equal(code, headers["vigil.error.code"]);
        Assert.False(string.IsNullOrWhiteSpace(headers["vigil.error.reason"]));
        return headers;
    }

    private void AssertGoodRecordStillDecided()
    {
        Assert.Equal(Route.Fraud, _processor.Decide(_good, "t", 0, 2, out _));
        var output = new byte[_processor.MaxOutputLength];
        Assert.True(_processor.Encode(output) > _good.Length);
    }

    private sealed class FakeTime : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
