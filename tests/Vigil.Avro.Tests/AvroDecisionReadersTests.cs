using System.Text.Json;
using Vigil.Alerts;
using Vigil.Avro.Records;
using Vigil.Detection;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;

namespace Vigil.Avro.Tests;

/// <summary>Avro decisions read as JSON by their readers: vigil alert's and the dashboard's.</summary>
public sealed class AvroDecisionReadersTests
{
    private readonly FixedSchemas _schemas = new();

    [Fact]
    public void An_avro_decision_read_as_json_gives_the_alert_its_id_amount_score_reasons_and_versions()
    {
        var id = _schemas.Add(AvroSchemas.Transaction);
        var processor = new DetectionProcessor(new Detector(RuleSet.AmountThreshold(220)), new AvroRecordCodec(_schemas, "legit", "fraud"));
        processor.Detector.Models = new DetectionModels(new LogisticModel(["amount"], [0], [1], [0.01], 0, 0.5) { Version = "lr-avro" });
        Assert.Equal(Route.Fraud, processor.Decide(
            AvroRecords.Write(id, AvroSchemas.Transaction, r => { r.Add("transaction_id", "tx-9"); r.Add("customer_id", 42L); r.Add("amount", 950.0); r.Add("currency", "EUR"); }),
            "t", 2, 17, out _));
        var output = new byte[processor.MaxOutputLength];
        output = output[..processor.Encode(output)];

        var json = new AvroJsonTranscoder(_schemas).ToJson(output).ToArray();
        var alert = Alert.TryParse(json);

        Assert.NotNull(alert);
        Assert.Equal(("tx-9", "tx-9"), (alert.Key, alert.TransactionId));
        Assert.Equal(950.0, alert.Amount);
        Assert.Equal("950.00 EUR", alert.AmountText);
        Assert.Equal("customer 42", alert.Parties.Split(" →")[0]);
        Assert.Equal(1.0, alert.Score);
        Assert.Equal(["amount_threshold", "model:amount"], alert.Reasons.Select(r => r.Code));
        Assert.Equal(("builtin:amount>=220", "lr-avro"), (alert.RulesVersion, alert.ModelVersion));
        Assert.True(Alert.TryReadKey(json, out var key, out var amount));
        Assert.Equal(("tx-9", 950.0), (key, amount));
        Assert.Equal(17, JsonDocument.Parse(json).RootElement.GetProperty("vigil").GetProperty("input_offset").GetInt64());
    }

    [Fact]
    public void An_avro_decision_without_an_id_is_keyed_by_its_input_position_as_a_json_one_is()
    {
        var id = _schemas.Add(AvroSchemas.Transaction);
        var processor = new DetectionProcessor(new Detector(RuleSet.AmountThreshold(220)), new AvroRecordCodec(_schemas, "legit", "fraud"));
        processor.Decide(AvroRecords.Write(id, AvroSchemas.Transaction, r => r.Add("amount", 300.0)), "t", 1, 5, out _);
        var output = new byte[processor.MaxOutputLength];
        output = output[..processor.Encode(output)];

        Assert.True(Alert.TryReadKey(new AvroJsonTranscoder(_schemas).ToJson(output), out var key, out _));

        Assert.Equal("input 1@5", key);
    }
}
