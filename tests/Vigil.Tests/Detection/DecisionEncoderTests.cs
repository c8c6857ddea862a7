using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Vigil.Detection;
using Vigil.Rules;
using Vigil.Transactions;

namespace Vigil.Tests.Detection;

public class DecisionEncoderTests
{
    private readonly TransactionDecoder _decoder = new();
    private readonly Detector _detector = new(RuleSet.AmountThreshold());

    private string Enrich(string json, long latencyNanoseconds = 12_345, int partition = 1, long offset = 42)
    {
        var transaction = new Transaction();
        var decision = new Decision();
        Assert.True(_decoder.TryDecode(Encoding.UTF8.GetBytes(json), transaction, out var failure), failure?.Reason);
        _detector.Decide(transaction, decision);
        decision.LatencyNanoseconds = latencyNanoseconds;
        var buffer = new byte[DecisionEncoder.MaxLength(transaction, decision)];
        Assert.True(DecisionEncoder.TryWrite(transaction, decision, partition, offset, buffer, out var written));
        return Encoding.UTF8.GetString(buffer, 0, written);
    }

    [Fact]
    public void Encoder_appends_the_decision_to_the_seed_message()
    {
        var output = Enrich("""{"source":"Jpe2zq1QDYTn","target":"lLbLnl0FSr7T","amount":954.83,"currency":"EUR"}""");

        Assert.Equal(
            """{"source":"Jpe2zq1QDYTn","target":"lLbLnl0FSr7T","amount":954.83,"currency":"EUR","vigil":{"fraud":true,"score":1,"reasons":[{"code":"amount_threshold","text":"amount >= 900"}],"versions":{"rules":"builtin:amount>=900"},"latency_us":12.3,"input":{"partition":1,"offset":42}}}""",
            output);
    }

    [Fact]
    public void Encoder_writes_legit_decisions_without_reasons()
    {
        var vigil = JsonNode.Parse(Enrich("""{"amount": 5}"""))!["vigil"]!;

        Assert.False(vigil["fraud"]!.GetValue<bool>());
        Assert.Equal(0, vigil["score"]!.GetValue<double>());
        Assert.Empty(vigil["reasons"]!.AsArray());
    }

    [Fact]
    public void Encoder_keeps_unknown_fields_byte_for_byte()
    {
        const string input = """{"amount": 5, "note": "caf\u00e9", "meta": {"a": [1, 2.50, null]}, "V1": -1.000}""";

        var output = Enrich(input);

        Assert.StartsWith(input[..^1], output, StringComparison.Ordinal);
    }

    [Fact]
    public void Encoder_puts_a_pretty_printed_record_on_one_line()
    {
        var output = Enrich("{\r\n  \"amount\": 5,\n  \"note\": \"x\"\n}\n");

        Assert.DoesNotContain('\n', output);
        Assert.DoesNotContain('\r', output);
        Assert.Equal("x", JsonNode.Parse(output)!["note"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"vigil": {"fraud": false}, "amount": 950}""")]
    [InlineData("""{"amount": 950, "vigil": {"fraud": false}, "note": "n"}""")]
    [InlineData("""{"amount": 950 , "vigil" : [1, {"fraud": false}] }""")]
    [InlineData("""{"amount": 950,"vigil":null}""")]
    public void Encoder_replaces_a_decision_already_in_the_input(string input)
    {
        var output = Enrich(input);

        using var document = JsonDocument.Parse(output);
        var vigilMembers = document.RootElement.EnumerateObject().Count(p => p.Name == "vigil");
        Assert.Equal(1, vigilMembers);
        Assert.True(document.RootElement.GetProperty("vigil").GetProperty("fraud").GetBoolean());
    }

    [Fact]
    public void Encoder_refuses_a_destination_that_is_too_small()
    {
        var transaction = new Transaction();
        var decision = new Decision();
        _decoder.TryDecode("""{"amount": 5}"""u8.ToArray(), transaction, out _);
        _detector.Decide(transaction, decision);

        Assert.False(DecisionEncoder.TryWrite(transaction, decision, 0, 0, new byte[20], out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Encoder_round_trips_any_transaction_through_decode_and_enrich()
    {
        var generator =
            from amount in Gen.Choose(0, 2_000_000).Select(c => c / 100.0)
            from source in Gen.Elements("a", "Jpe2zq1QDYTn", "é\"quoted\"", "tab\there", "")
            from customer in Gen.Choose(0, 10_000)
            from extras in Gen.ListOf(Gen.Choose(-1000, 1000).Select(v => v / 7.0)).Select(l => l.Take(30).ToArray())
            from timestamp in Gen.Choose(0, int.MaxValue).Select(s => s * 1000L)
            select (amount, source, customer, extras, timestamp);

        Prop.ForAll(generator.ToArbitrary(), sample =>
        {
            var input = new JsonObject
            {
                ["transaction_id"] = "tx-1",
                ["timestamp"] = sample.timestamp,
                ["customer_id"] = sample.customer,
                ["source"] = sample.source,
                ["amount"] = sample.amount,
                ["currency"] = "EUR",
            };
            for (var i = 0; i < sample.extras.Length; i++)
            {
                input[$"V{i + 1}"] = sample.extras[i];
            }

            var output = JsonNode.Parse(Enrich(input.ToJsonString()))!.AsObject();
            var vigil = output["vigil"]!;
            output.Remove("vigil");

            return JsonNode.DeepEquals(input, output)
                   && vigil["fraud"]!.GetValue<bool>() == (sample.amount >= 900);
        }).QuickCheckThrowOnFailure();
    }
}
