using System.Text;
using Avro.Generic;
using Vigil.Avro.Records;
using Vigil.Detection;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;

namespace Vigil.Avro.Tests;

/// <summary>The detector behind the feature service: featured JSON carrying the producer's Avro record in, Avro with the features out.</summary>
public sealed class FeaturedAvroCodecTests
{
    private readonly FixedSchemas _schemas = new();

    [Fact]
    public void A_featured_record_is_written_in_the_producer_s_schema_with_its_features_and_the_decision()
    {
        var id = _schemas.Add(AvroSchemas.Transaction);
        var featured = Featured(id, ""","features":{"customer_nb_tx_1d":3,"terminal_risk_7d":null}""");
        var processor = Processor();

        var route = processor.Decide(featured, "featured", 1, 7, out _);
        var output = new byte[processor.MaxOutputLength];
        output = output[..processor.Encode(output)];

        Assert.Equal(Route.Fraud, route);
        var record = AvroRecords.Read(output, _schemas.Get(AvroRecords.SchemaId(output)));
        Assert.Equal(42L, record["customer_id"]);
        Assert.Equal(300.0, record["amount"]);
        var features = (IDictionary<string, object?>)record["features"];
        Assert.Equal(3.0, features["customer_nb_tx_1d"]);
        Assert.Null(features["terminal_risk_7d"]);
        Assert.Equal(true, ((GenericRecord)record["vigil"])["fraud"]);
        Assert.Equal(7L, ((GenericRecord)record["vigil"])["input_offset"]);
        Assert.Contains("\"features\"", _schemas.Get(AvroRecords.SchemaId(output)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"amount":300,"features":{}}""", "not_avro")]
    [InlineData("""{"vigil_avro":"not base64!","amount":300}""", "not_avro")]
    [InlineData("""{"vigil_avro":"AAAAAAA=","amount":300}""", "schema_unknown")]
    [InlineData("""{"vigil_avro":"AAAA","amount":"x"}""", "amount_wrong_type")]
    public void A_featured_record_without_a_readable_avro_record_is_a_dead_letter(string json, string code)
    {
        _schemas.Add(AvroSchemas.Transaction);
        var processor = Processor();

        Assert.Equal(Route.DeadLetter, processor.Decide(Encoding.UTF8.GetBytes(json), "featured", 0, 0, out var headers));

        Assert.Equal(code, Encoding.UTF8.GetString(headers!.Single(h => h.Key == "vigil.error.code").Value));
    }

    [Fact]
    public void A_producer_schema_with_a_features_field_of_its_own_is_refused()
    {
        var schema = AvroSchemas.Transaction.Replace("""{"name": "amount", "type": "double"},""", """{"name": "amount", "type": "double"}, {"name": "features", "type": ["null", "string"], "default": null},""", StringComparison.Ordinal);
        var id = _schemas.Add(schema);
        var original = AvroRecords.Write(id, schema, r => r.Add("amount", 1.0));

        var route = Processor().Decide(Encoding.UTF8.GetBytes($$"""{"vigil_avro":"{{Convert.ToBase64String(original)}}","amount":1}"""), "featured", 0, 0, out var headers);

        Assert.Equal(Route.DeadLetter, route);
        Assert.Contains("has a field named features already", Encoding.UTF8.GetString(headers!.Single(h => h.Key == "vigil.error.reason").Value), StringComparison.Ordinal);
    }

    private DetectionProcessor Processor() => new(new Detector(RuleSet.AmountThreshold(220)), new FeaturedAvroCodec(_schemas, "legit", "fraud"));

    /// <summary>What the feature service writes: the transcoded record with the original kept, and its features appended.</summary>
    private byte[] Featured(int id, string features)
    {
        var original = AvroRecords.Write(id, AvroSchemas.Transaction, r => { r.Add("customer_id", 42L); r.Add("amount", 300.0); });
        var json = Encoding.UTF8.GetString(new AvroJsonTranscoder(_schemas, keepOriginal: true).ToJson(original));
        Assert.StartsWith("{\"vigil_avro\":\"", json, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(json[..^1] + features + "}");
    }
}
