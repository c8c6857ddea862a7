using System.Text;
using Avro.Generic;
using Vigil.Avro.Records;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;

namespace Vigil.Avro.Tests;

/// <summary>What generate and replay write with --value-format avro: JSON transactions as Avro, read back by Apache.Avro.</summary>
public sealed class AvroTransactionEncoderTests
{
    private readonly FixedSchemas _schemas = new();

    [Fact]
    public void A_simulated_transaction_is_written_with_vigil_s_schema_ids_as_longs_and_time_as_timestamp_millis()
    {
        var encoder = new AvroTransactionEncoder(_schemas, "queueing.transactions");

        var value = encoder.Encode("""{"transaction_id":7,"timestamp":"2018-04-01T00:00:31Z","customer_id":42,"terminal_id":"T\u00e9-9","amount":57.16,"currency":"EUR"}"""u8).ToArray();

        var schemaId = AvroRecords.SchemaId(value);
        Assert.Equal([schemaId], _schemas.Subjects["queueing.transactions-value"]);
        var record = AvroRecords.Read(value, _schemas.Get(schemaId));
        Assert.Equal(7L, record["transaction_id"]);
        Assert.Equal(new DateTime(2018, 4, 1, 0, 0, 31, DateTimeKind.Utc), record["timestamp"]);
        Assert.Equal(42L, record["customer_id"]);
        Assert.Equal("Té-9", record["terminal_id"]); // escaped in JSON, plain in Avro
        Assert.Equal(57.16, record["amount"]);
        Assert.Equal("EUR", record["currency"]);
    }

    [Fact]
    public void A_replayed_row_s_other_numeric_columns_become_optional_doubles_and_a_new_set_of_columns_a_new_version()
    {
        var encoder = new AvroTransactionEncoder(_schemas, "t");

        byte[][] values =
        [
            encoder.Encode("""{"transaction_id":"tx-1","V1":-1.25,"V2":null,"Time":10,"amount":3}"""u8).ToArray(),
            encoder.Encode("""{"transaction_id":"tx-2","V1":2.5,"V2":0.5,"Time":11,"amount":4}"""u8).ToArray(),
            encoder.Encode("""{"amount":5,"V9":1}"""u8).ToArray(),
        ];

        Assert.Equal(AvroRecords.SchemaId(values[0]), AvroRecords.SchemaId(values[1])); // one schema for the same columns
        Assert.Equal(2, _schemas.Subjects["t-value"].Count);
        var first = AvroRecords.Read(values[0], _schemas.Get(AvroRecords.SchemaId(values[0])));
        Assert.Equal("tx-1", first["transaction_id"]);
        Assert.Equal(-1.25, first["V1"]);
        Assert.Null(first["V2"]);
        Assert.Equal(10.0, first["Time"]);
        Assert.Null(first["timestamp"]);
        var third = AvroRecords.Read(values[2], _schemas.Get(AvroRecords.SchemaId(values[2])));
        Assert.Equal(1.0, third["V9"]);
        Assert.False(third.TryGetValue("V1", out _));
    }

    [Fact]
    public void What_it_writes_vigil_reads_back_as_the_same_transaction()
    {
        var json = """{"transaction_id":123456789012,"timestamp":"2018-04-01T00:00:31Z","customer_id":"C-1","terminal_id":7,"V3":0.125,"amount":901.5}"""u8.ToArray();
        var avro = new AvroTransactionEncoder(_schemas, "t").Encode(json).ToArray();
        var fromJson = new Vigil.Transactions.Transaction();
        var fromAvro = new Vigil.Transactions.Transaction();

        Assert.True(new Vigil.Transactions.TransactionDecoder().TryDecode(json, fromJson, out _));
        Assert.True(new AvroRecordCodec(_schemas, "l", "f").TryDecode(avro, fromAvro, out var failure), failure?.Reason);

        Assert.Equal((fromJson.Amount, fromJson.TimestampMs), (fromAvro.Amount, fromAvro.TimestampMs));
        Assert.Equal(fromJson.Text(fromJson.TransactionId), fromAvro.Text(fromAvro.TransactionId));
        Assert.Equal(fromJson.Text(fromJson.CustomerId), fromAvro.Text(fromAvro.CustomerId));
        Assert.Equal(fromJson.Text(fromJson.TerminalId), fromAvro.Text(fromAvro.TerminalId));
        Assert.True(fromAvro.Numbers.TryGet("V3"u8, out var v3));
        Assert.Equal(0.125, v3);
    }
}

/// <summary>What replay --identities writes with --value-format avro, and the feature service reads back.</summary>
public sealed class AvroIdentityEncoderTests
{
    private readonly FixedSchemas _schemas = new();

    [Fact]
    public void Identity_rows_are_written_with_a_schema_of_their_own_fields_and_read_back_as_the_same_json()
    {
        var values = new List<byte[]>();
        var encoder = new AvroIdentityEncoder(_schemas, "identities");

        values.Add(encoder.Encode("""{"transaction_id":2987004,"timestamp":"2017-12-02T00:01:10Z","DeviceType":"mobile","id_01":-5,"id_12":"Not\u0046ound","flag":true}"""u8).ToArray());
        values.Add(encoder.Encode("""{"transaction_id":2987005,"timestamp":"2017-12-02T00:01:11Z","DeviceType":null,"id_01":1e400,"id_12":"Found","flag":false}"""u8).ToArray());
        values.Add(encoder.Encode("""{"transaction_id":"T-1","DeviceType":"desktop"}"""u8).ToArray());

        Assert.Equal(2, _schemas.Subjects["identities-value"].Count);
        var transcoder = new Vigil.Avro.Records.AvroJsonTranscoder(_schemas);
        Assert.Equal("""{"transaction_id":2987004,"timestamp":"2017-12-02T00:01:10Z","DeviceType":"mobile","id_01":-5,"id_12":"NotFound","flag":true}""",
            Encoding.UTF8.GetString(transcoder.ToJson(values[0])));
        Assert.Equal("""{"transaction_id":2987005,"timestamp":"2017-12-02T00:01:11Z","DeviceType":null,"id_01":null,"id_12":"Found","flag":false}""",
            Encoding.UTF8.GetString(transcoder.ToJson(values[1])));
        Assert.Equal("""{"transaction_id":"T-1","DeviceType":"desktop"}""", Encoding.UTF8.GetString(transcoder.ToJson(values[2])));
        Assert.True(Vigil.Transactions.Iso8601.TryReadTimestamp(transcoder.ToJson(values[0]), out _)); // as the interval join reads it
        foreach (var broken in new[] { "not json", "[1]", "{\"transaction_id\":", "" })
        {
            Assert.Equal(broken, Encoding.UTF8.GetString(encoder.Encode(Encoding.UTF8.GetBytes(broken)))); // passed on, for the reader to refuse
        }
    }
}

/// <summary>The writer generate and replay use: the encoder's Avro on, keys and headers as they came, unreadable JSON as it came.</summary>
public sealed class AvroRecordWriterTests
{
    [Fact]
    public void Records_go_on_as_avro_with_their_keys_and_headers_and_a_record_the_encoder_cannot_read_goes_on_as_it_came()
    {
        var schemas = new FixedSchemas();
        var inner = new Recorded();
        var writer = new AvroRecordWriter(inner, new AvroLabelEncoder(schemas, "labels"));
        RecordHeader[] headers = [new("traceparent", "00-1"u8.ToArray())];

        writer.Write("k1"u8, """{"transaction_id":1,"fraud":1}"""u8, headers);
        writer.Write("k2"u8, "not json at all"u8);
        writer.Write("k3"u8, """[1,2]"""u8);
        writer.Write("k4"u8, """{"transaction_id":2,"fraud":0}"""u8);

        Assert.Equal(["k1", "k2", "k3", "k4"], inner.Records.Select(r => r.Key));
        Assert.Same(headers, inner.Records[0].Headers);
        Assert.Equal(0, inner.Records[0].Value[0]); // Confluent's magic byte
        Assert.Equal("not json at all", Encoding.UTF8.GetString(inner.Records[1].Value));
        Assert.Equal("[1,2]", Encoding.UTF8.GetString(inner.Records[2].Value));
        Assert.Equal(false, AvroRecords.Read(inner.Records[3].Value, AvroSchemas.Label)["fraud"]);
    }

    private sealed class Recorded : IRecordWriter
    {
        public List<(string Key, byte[] Value, IReadOnlyList<RecordHeader>? Headers)> Records { get; } = [];

        public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null) =>
            Records.Add((Encoding.UTF8.GetString(key), value.ToArray(), headers));

        public ValueTask PublishAsync(bool partialBatches, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
