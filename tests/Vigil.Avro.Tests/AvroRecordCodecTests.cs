using System.Text;
using Avro.Generic;
using Vigil.Detection;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Transactions;

namespace Vigil.Avro.Tests;

/// <summary>Avro transactions written by Apache.Avro, decided by Vigil, and the decided records read back by Apache.Avro.</summary>
public sealed class AvroRecordCodecTests
{
    private const long April1 = 1_522_540_800_000; // 2018-04-01T00:00:00Z

    /// <summary>Vigil's schema with two more fields, as a producer's own schema would have.</summary>
    private static readonly string Extended = AvroSchemas.Transaction.Replace(
        """{"name": "currency", "type": ["null", "string"], "default": null}""",
        """{"name": "currency", "type": ["null", "string"], "default": null}, {"name": "merchant", "type": "string"}, {"name": "risk", "type": ["null", "double"], "default": null}, {"name": "tags", "type": {"type": "array", "items": "string"}}""",
        StringComparison.Ordinal);

    private readonly FixedSchemas _schemas = new();

    [Fact]
    public void A_transaction_is_read_by_name_and_decided_and_its_decided_record_reads_back_with_the_registered_schema()
    {
        var id = _schemas.Add(AvroSchemas.Transaction);
        var processor = Processor(RuleSet.AmountThreshold(220));
        var input = AvroRecords.Write(id, AvroSchemas.Transaction, r =>
        {
            r.Add("transaction_id", 7L);
            r.Add("timestamp", DateTimeOffset.FromUnixTimeMilliseconds(April1 + 31_000).UtcDateTime);
            r.Add("customer_id", 42L);
            r.Add("terminal_id", "T-9");
            r.Add("amount", 512.3);
            r.Add("currency", "EUR");
        });

        var (route, output) = Decide(processor, input, partition: 3, offset: 99);

        Assert.Equal(Route.Fraud, route);
        var outputId = AvroRecords.SchemaId(output);
        Assert.Equal([outputId], _schemas.Subjects["vigil.transactions.fraud-value"]);
        Assert.Equal([outputId], _schemas.Subjects["vigil.transactions.legit-value"]);
        var record = AvroRecords.Read(output, _schemas.Get(outputId));
        Assert.Equal(7L, record["transaction_id"]);
        Assert.Equal(42L, record["customer_id"]);
        Assert.Equal("T-9", record["terminal_id"]);
        Assert.Equal(512.3, record["amount"]);
        Assert.Equal("EUR", record["currency"]);
        var vigil = (GenericRecord)record["vigil"];
        Assert.Equal(true, vigil["fraud"]);
        Assert.Equal(false, vigil["review"]);
        Assert.Equal(1.0, vigil["score"]);
        var reason = Assert.Single((object[])vigil["reasons"]);
        Assert.Equal("amount_threshold", ((GenericRecord)reason)["code"]);
        Assert.Equal("amount >= 220", ((GenericRecord)reason)["text"]);
        Assert.Null(((GenericRecord)reason)["action"]);
        Assert.Equal("builtin:amount>=220", vigil["rules_version"]);
        Assert.Null(vigil["model_version"]);
        Assert.Equal(3, vigil["input_partition"]);
        Assert.Equal(99L, vigil["input_offset"]);
    }

    [Fact]
    public void Numeric_ids_read_as_the_same_keys_as_json_and_the_decision_equals_the_json_one()
    {
        var id = _schemas.Add(AvroSchemas.Transaction);
        var codec = new AvroRecordCodec(_schemas, "legit", "fraud");
        var avro = new Transaction();
        var json = new Transaction();

        Assert.True(codec.TryDecode(AvroRecords.Write(id, AvroSchemas.Transaction, r =>
        {
            r.Add("transaction_id", 123_456_789_012L);
            r.Add("timestamp", DateTimeOffset.FromUnixTimeMilliseconds(April1 + 31_000).UtcDateTime);
            r.Add("customer_id", 42L);
            r.Add("terminal_id", 7L);
            r.Add("amount", 57.16);
        }), avro, out var failure), failure?.Reason);
        Assert.True(new TransactionDecoder().TryDecode(
            """{"transaction_id":123456789012,"timestamp":"2018-04-01T00:00:31Z","customer_id":42,"terminal_id":7,"amount":57.16}"""u8.ToArray(), json, out _));

        foreach (var field in new Func<Transaction, Utf8Field>[] { t => t.TransactionId, t => t.CustomerId, t => t.TerminalId })
        {
            Assert.Equal(Encoding.UTF8.GetString(json.Raw(field(json))), Encoding.UTF8.GetString(avro.Raw(field(avro))));
            Assert.Equal(field(json).IsNumber, field(avro).IsNumber);
        }

        Assert.Equal((json.Amount, json.TimestampMs, json.HasTimestamp), (avro.Amount, avro.TimestampMs, avro.HasTimestamp));
        Assert.False(avro.Currency.IsPresent);
    }

    [Fact]
    public void Fields_vigil_does_not_know_travel_into_the_decided_record_and_numeric_ones_reach_rules_and_models()
    {
        var id = _schemas.Add(Extended);
        var risky = new Rule("risky", "record.risk > 0.8", 1, t => t.Numbers.TryGet("risk"u8, out var risk) && risk > 0.8);
        var processor = Processor(new RuleSet("test", [risky]));
        var model = new LogisticModel(["amount", "risk"], [0, 0], [1, 1], [0, 0], intercept: -1, threshold: 0.5) { Version = "lr-test" };
        processor.Detector.Models = new DetectionModels(model);
        byte[] Input(double? risk) => AvroRecords.Write(id, Extended, r =>
        {
            r.Add("amount", 10.0);
            r.Add("merchant", "Café Ünïcode");
            r.Add("risk", risk);
            r.Add("tags", new object[] { "a", "b" });
        });

        var (high, highOutput) = Decide(processor, Input(0.9));
        var (missing, missingOutput) = Decide(processor, Input(null));

        Assert.Equal((Route.Fraud, Route.Legit), (high, missing));
        var record = AvroRecords.Read(highOutput, _schemas.Get(AvroRecords.SchemaId(highOutput)));
        Assert.Equal("Café Ünïcode", record["merchant"]);
        Assert.Equal(0.9, record["risk"]);
        Assert.Equal(["a", "b"], (object[])record["tags"]);
        var vigil = (GenericRecord)record["vigil"];
        Assert.Equal("lr-test", vigil["model_version"]);
        Assert.Equal(Model.Sigmoid(-1), (double)vigil["model_score"], 12);
        Assert.Equal(false, vigil["model_fraud"]);
        var missingRecord = AvroRecords.Read(missingOutput, _schemas.Get(AvroRecords.SchemaId(missingOutput)));
        Assert.Null(missingRecord["risk"]);
        Assert.Equal(Model.Sigmoid(-1), (double)((GenericRecord)missingRecord["vigil"])["model_score"], 12); // missing: taken at its mean
    }

    [Fact]
    public void A_model_s_reasons_are_written_with_their_contributions_and_review_rules_with_their_action()
    {
        var id = _schemas.Add(AvroSchemas.Transaction);
        var review = new Rule("night", "amount > 5", RuleAction.Review, 0.5, (_, _) => true);
        var processor = Processor(new RuleSet("v1", [review]));
        processor.Detector.Models = new DetectionModels(new LogisticModel(["amount"], [0], [1], [0.1], intercept: 0, threshold: 0.5) { Version = "lr-amount" });

        var (route, output) = Decide(processor, AvroRecords.Write(id, AvroSchemas.Transaction, r => r.Add("amount", 300.0)));

        Assert.Equal(Route.Fraud, route);
        var reasons = ((object[])((GenericRecord)AvroRecords.Read(output, _schemas.Get(AvroRecords.SchemaId(output)))["vigil"])["reasons"]).Cast<GenericRecord>().ToList();
        Assert.Equal(["night", "model:amount"], reasons.Select(r => (string)r["code"]));
        Assert.Equal("review", reasons[0]["action"]);
        Assert.Equal("amount = 300", reasons[1]["text"]);
        Assert.Equal(30.0, (double)reasons[1]["contribution"], 9);
    }

    [Fact]
    public void An_evolved_schema_with_an_optional_field_is_read_and_old_and_new_readers_both_read_the_decided_records()
    {
        var old = _schemas.Add(AvroSchemas.Transaction);
        var evolved = AvroSchemas.Transaction.Replace(
            """{"name": "amount", "type": "double"},""", """{"name": "amount", "type": "double"}, {"name": "channel", "type": ["null", "string"], "default": null},""", StringComparison.Ordinal);
        var evolvedId = _schemas.Add(evolved);
        var processor = Processor(RuleSet.AmountThreshold(220));

        var (_, fromOld) = Decide(processor, AvroRecords.Write(old, AvroSchemas.Transaction, r => r.Add("amount", 10.0)));
        var (_, fromNew) = Decide(processor, AvroRecords.Write(evolvedId, evolved, r => { r.Add("amount", 20.0); r.Add("channel", "web"); }));

        var oldOutput = _schemas.Get(AvroRecords.SchemaId(fromOld));
        var newOutput = _schemas.Get(AvroRecords.SchemaId(fromNew));
        Assert.Equal(2, _schemas.Subjects["vigil.transactions.legit-value"].Count); // two versions under the subject
        Assert.Null(AvroRecords.Read(fromOld, oldOutput, readerSchema: newOutput)["channel"]); // the new reader fills the default
        var oldReader = AvroRecords.Read(fromNew, newOutput, readerSchema: oldOutput); // the old reader drops the new field
        Assert.Equal(20.0, oldReader["amount"]);
        Assert.False(oldReader.TryGetValue("channel", out _));
        Assert.Equal(false, ((GenericRecord)oldReader["vigil"])["fraud"]);
    }

    private DetectionProcessor Processor(RuleSet rules) =>
        new(new Detector(rules), new AvroRecordCodec(_schemas, "vigil.transactions.legit", "vigil.transactions.fraud"));

    private static (Route Route, byte[] Output) Decide(DetectionProcessor processor, byte[] input, int partition = 0, long offset = 0)
    {
        var route = processor.Decide(input, "vigil.transactions", partition, offset, out var deadLetter);
        if (route == Route.DeadLetter)
        {
            Assert.Fail(string.Join("; ", deadLetter!.Select(h => $"{h.Key}={Encoding.UTF8.GetString(h.Value)}")));
        }

        var output = new byte[processor.MaxOutputLength];
        return (route, output[..processor.Encode(output)]);
    }
}
