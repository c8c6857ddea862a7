using System.Text;
using System.Text.Json;
using Avro.Generic;
using Vigil.Avro.Records;
using Vigil.Features;
using Vigil.Transactions;

namespace Vigil.Avro.Tests;

/// <summary>Avro records as the JSON the feature service and the dashboard read: written by Apache.Avro or by Vigil's label writer.</summary>
public sealed class AvroJsonTranscoderTests
{
    private const string Everything = """
        {"type":"record","name":"Everything","fields":[
          {"name":"amount","type":"double"},
          {"name":"timestamp","type":{"type":"long","logicalType":"timestamp-micros"}},
          {"name":"flag","type":"boolean"},
          {"name":"count","type":"int"},
          {"name":"ratio","type":"float"},
          {"name":"missing","type":["null","double"]},
          {"name":"nan","type":"double"},
          {"name":"raw","type":"bytes"},
          {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["CARD","WIRE"]}},
          {"name":"tags","type":{"type":"array","items":"string"}},
          {"name":"scores","type":{"type":"map","values":["null","double"]}},
          {"name":"device","type":{"type":"record","name":"Device","fields":[{"name":"os","type":"string"}]}},
          {"name":"note","type":"string"}
        ]}
        """;

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly FixedSchemas _schemas = new();

    [Fact]
    public void Every_avro_type_becomes_json_and_a_timestamp_iso_text_to_the_millisecond()
    {
        var id = _schemas.Add(Everything);
        var record = AvroRecords.Write(id, Everything, r =>
        {
            r.Add("amount", 12.5);
            r.Add("timestamp", new DateTime(2018, 4, 1, 0, 0, 31, 250, DateTimeKind.Utc));
            r.Add("flag", true);
            r.Add("count", -3);
            r.Add("ratio", 0.5f);
            r.Add("nan", double.NaN);
            r.Add("raw", new byte[] { 1, 2, 3 });
            r.Add("kind", new GenericEnum((global::Avro.EnumSchema)((global::Avro.RecordSchema)global::Avro.Schema.Parse(Everything)).Fields[8].Schema, "WIRE"));
            r.Add("tags", new object[] { "a", "\"quoted\"" });
            r.Add("scores", new Dictionary<string, object?> { ["x"] = 1.5, ["y"] = null });
            var device = new GenericRecord((global::Avro.RecordSchema)((global::Avro.RecordSchema)global::Avro.Schema.Parse(Everything)).Fields[11].Schema);
            device.Add("os", "Linux");
            r.Add("device", device);
            r.Add("note", "Café\n");
        });

        var json = JsonDocument.Parse(new AvroJsonTranscoder(_schemas).ToJson(record).ToArray()).RootElement;

        Assert.Equal(
            """{"amount":12.5,"timestamp":"2018-04-01T00:00:31.250Z","flag":true,"count":-3,"ratio":0.5,"missing":null,"nan":null,"raw":"AQID","kind":"WIRE","tags":["a","\"quoted\""],"scores":{"x":1.5,"y":null},"device":{"os":"Linux"},"note":"Café\n"}""",
            JsonSerializer.Serialize(json, Relaxed));
    }

    [Fact]
    public void A_transcoded_transaction_decodes_as_the_json_one_and_a_transcoded_label_reads_as_a_fraud_report()
    {
        var transactionId = _schemas.Add(AvroSchemas.Transaction);
        var transcoder = new AvroJsonTranscoder(_schemas);
        var transaction = new Transaction();
        var labels = new AvroLabelEncoder(_schemas, "labels");

        var json = transcoder.ToJson(AvroRecords.Write(transactionId, AvroSchemas.Transaction, r =>
        {
            r.Add("transaction_id", 5L);
            r.Add("timestamp", new DateTime(2018, 4, 1, 0, 0, 31, DateTimeKind.Utc));
            r.Add("customer_id", 42L);
            r.Add("amount", 99.5);
        })).ToArray();
        var labelAvro = labels.Encode("""{"transaction_id":5,"fraud":1,"fraud_scenario":2,"amount":99.5,"timestamp":"2018-04-01T00:00:31Z","customer_id":42,"terminal_id":"T7","reported_at":"2018-04-08T00:00:31Z"}"""u8).ToArray();
        var label = transcoder.ToJson(labelAvro).ToArray();

        Assert.True(new TransactionDecoder().TryDecode(json, transaction, out var failure), failure?.Reason);
        Assert.Equal((99.5, 1_522_540_831_000L, "42"), (transaction.Amount, transaction.TimestampMs, transaction.Text(transaction.CustomerId)));
        Assert.True(Iso8601.TryReadTimestamp(json, out var time)); // the feature stage's own read of event time
        Assert.Equal(1_522_540_831_000L, time);
        Assert.True(FraudReport.TryDecode(label, out var report), Encoding.UTF8.GetString(label));
        Assert.True(report.IsFraud);
        Assert.Equal(1_522_540_831_000L, report.TransactionTimeMs);
        Assert.Equal(1_522_540_831_000L + (7 * 86_400_000L), report.ReportedAtMs);
        Assert.Equal(42L, report.Customer);
        Assert.Equal(["labels-value"], _schemas.Subjects.Keys);
        var labelRecord = AvroRecords.Read(labelAvro, AvroSchemas.Label);
        Assert.Equal((5L, true, 2, "T7"), ((long)labelRecord["transaction_id"], (bool)labelRecord["fraud"], (int)labelRecord["fraud_scenario"], (string)labelRecord["terminal_id"]));
    }

    [Fact]
    public void Json_unknown_schemas_and_broken_records_pass_as_they_came_and_are_counted_when_they_looked_like_avro()
    {
        var id = _schemas.Add(AvroSchemas.Transaction);
        var transcoder = new AvroJsonTranscoder(_schemas);
        byte[] json = """{"amount":1}"""u8.ToArray();
        byte[] unknown = [0, 0, 0, 0x7f, 0x7f, 0, 0, 0, 0];
        byte[] cut = [0, 0, 0, 0, (byte)id, 0, 0, 0, 0, 1, 2];
        byte[] trailing = [0, 0, 0, 0, (byte)id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 9];
        byte[] badText = [0, 0, 0, 0, (byte)id, 0, 0, 4, 4, 0xc3, 0x28, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0];

        foreach (var value in new[] { json, unknown, cut, trailing, badText })
        {
            Assert.Equal(value, transcoder.ToJson(value).ToArray());
        }

        Assert.Equal(4, transcoder.Unreadable);
    }

    [Fact]
    public void It_reads_only_the_data_topics_it_was_given_never_vigil_s_internal_ones()
    {
        var transcoder = new AvroJsonTranscoder(_schemas, topics: new HashSet<string> { "queueing.transactions", "queueing.labels" });

        Assert.True(transcoder.Reads("queueing.labels"));
        Assert.False(transcoder.Reads("vigil.features.repartition")); // binary records that may start with a 0 byte
        Assert.True(new AvroJsonTranscoder(_schemas).Reads("anything"));
    }
}
