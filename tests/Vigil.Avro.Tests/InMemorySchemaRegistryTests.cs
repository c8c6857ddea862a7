using System.Net;
using System.Text;
using System.Text.Json;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Vigil.Avro.Registry;
using Vigil.Detection;
using Vigil.Runtime.Pipeline;

namespace Vigil.Avro.Tests;

/// <summary>The in-memory registry over real HTTP on loopback, through Confluent's own client and serializer, and raw requests.</summary>
public sealed class InMemorySchemaRegistryTests : IAsyncLifetime, IDisposable
{
    private static readonly string Evolved = AvroSchemas.Transaction.Replace(
        """{"name": "amount", "type": "double"},""", """{"name": "amount", "type": "double"}, {"name": "channel", "type": ["null", "string"], "default": null},""", StringComparison.Ordinal);

    private static readonly string Breaking = AvroSchemas.Transaction.Replace(
        """{"name": "amount", "type": "double"},""", """{"name": "amount", "type": "double"}, {"name": "channel", "type": "string"},""", StringComparison.Ordinal);

    private InMemorySchemaRegistry _registry = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _registry = await InMemorySchemaRegistry.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_registry.Url), Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public void Confluent_s_client_registers_and_fetches_and_one_schema_has_one_id_under_every_subject()
    {
        using var source = Source();

        var id = source.Register("payments-value", AvroSchemas.Transaction);
        var again = source.Register("payments-value", AvroSchemas.Transaction);
        var elsewhere = source.Register("other-value", AvroSchemas.Transaction);
        var evolved = source.Register("payments-value", Evolved);

        Assert.Equal((id, id), (again, elsewhere));
        Assert.NotEqual(id, evolved);
        Assert.Equal(global::Avro.Schema.Parse(AvroSchemas.Transaction).ToString(), global::Avro.Schema.Parse(source.GetSchema(id)).ToString());
        var missing = Assert.Throws<SchemaSourceException>(() => source.GetSchema(999));
        Assert.True(missing.NotFound);
    }

    [Fact]
    public async Task Backward_compatibility_takes_an_added_optional_field_and_refuses_a_required_one_until_the_level_is_none()
    {
        using var source = Source();
        source.Register("payments-value", AvroSchemas.Transaction);

        Assert.True(await CompatibleAsync(Evolved));
        Assert.False(await CompatibleAsync(Breaking));
        var refused = await PostAsync("/subjects/payments-value/versions", Breaking);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(409, JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error_code").GetInt32());
        var viaClient = Assert.Throws<SchemaSourceException>(() => source.Register("payments-value", Breaking));
        Assert.False(viaClient.NotFound);

        var level = await _http.PutAsync("/config/payments-value", Json("""{"compatibility":"NONE"}"""));
        Assert.Equal(HttpStatusCode.OK, level.StatusCode);
        Assert.True(source.Register("payments-value", Breaking) > 0);
        var versions = JsonDocument.Parse(await _http.GetStringAsync("/subjects/payments-value/versions")).RootElement;
        Assert.Equal(2, versions.GetArrayLength());
        var latest = JsonDocument.Parse(await _http.GetStringAsync("/subjects/payments-value/versions/latest")).RootElement;
        Assert.Equal(2, latest.GetProperty("version").GetInt32());
    }

    [Theory]
    [InlineData("/subjects/s-value/versions", "not json", 422, 42201)]
    [InlineData("/subjects/s-value/versions", """{"schemaa":"x"}""", 422, 42201)]
    [InlineData("/subjects/s-value/versions", """{"schema":"{\"type\":\"record\"}"}""", 422, 42201)]
    [InlineData("/subjects/s-value/versions", """{"schema":"syntax = \"proto3\";","schemaType":"PROTOBUF"}""", 422, 42201)]
    [InlineData("/subjects/nobody-value", """{"schema":"\"string\""}""", 404, 40401)]
    public async Task Bad_requests_get_the_registry_s_error_codes(string path, string body, int status, int code)
    {
        var answer = await _http.PostAsync(path, Json(body));

        Assert.Equal(status, (int)answer.StatusCode);
        var error = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(code, error.GetProperty("error_code").GetInt32());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Records_from_confluent_s_avro_serializer_are_decided_and_the_decided_ones_read_with_confluent_s_deserializer()
    {
        using var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = _registry.Url });
        var serializer = new AvroSerializer<GenericRecord>(client);
        var schema = (global::Avro.RecordSchema)global::Avro.Schema.Parse(Evolved);
        var record = new GenericRecord(schema);
        foreach (var field in schema.Fields)
        {
            record.Add(field.Name, null);
        }

        record.Add("customer_id", "c-1");
        record.Add("amount", 950.0);
        record.Add("channel", "app");
        var input = await serializer.SerializeAsync(record, new SerializationContext(MessageComponentType.Value, "payments"));
        using var source = Source();
        var processor = new DetectionProcessor(new Detector(Vigil.Rules.RuleSet.AmountThreshold(900)), new AvroRecordCodec(source, "payments.legit", "payments.fraud"));

        var route = processor.Decide(input, "payments", 0, 5, out _);
        var output = new byte[processor.MaxOutputLength];
        output = output[..processor.Encode(output)];

        Assert.Equal(Route.Fraud, route);
        var decided = await new AvroDeserializer<GenericRecord>(client).DeserializeAsync(output, isNull: false, new SerializationContext(MessageComponentType.Value, "payments.fraud"));
        Assert.Equal("app", decided["channel"]);
        Assert.Equal("c-1", decided["customer_id"]);
        Assert.Equal(true, ((GenericRecord)decided["vigil"])["fraud"]);
        var subjects = JsonDocument.Parse(await _http.GetStringAsync("/subjects")).RootElement.EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Equal(["payments-value", "payments.fraud-value", "payments.legit-value"], subjects);
    }

    [Fact]
    public async Task A_registry_that_is_gone_is_a_failure_that_is_not_not_found()
    {
        using var source = Source();
        await _registry.DisposeAsync();

        var e = Assert.Throws<SchemaSourceException>(() => source.GetSchema(1));

        Assert.False(e.NotFound);
        _registry = await InMemorySchemaRegistry.StartAsync();
    }

    private RegistrySchemaSource Source() => new(new Dictionary<string, string> { ["schema.registry.url"] = _registry.Url }, TimeSpan.FromSeconds(5));

    private async Task<bool> CompatibleAsync(string schema)
    {
        var answer = await PostAsync("/compatibility/subjects/payments-value/versions/latest", schema);
        return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("is_compatible").GetBoolean();
    }

    private Task<HttpResponseMessage> PostAsync(string path, string schema) =>
        _http.PostAsync(path, Json(JsonSerializer.Serialize(new Dictionary<string, string> { ["schema"] = schema })));

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/vnd.schemaregistry.v1+json");
}
