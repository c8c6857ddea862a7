using System.Text;
using System.Text.Json;
using Vigil.Detection;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Transactions;

namespace Vigil.Tests.Detection;

public sealed class ModelScoringTests
{
    // Score = σ(−4 + 2·(tx_amount/customer_avg_amount_30d − 1) + 1·customer_nb_tx_1d): fraud when the amount is unusual.
    private static readonly LogisticModel Model = new(
        ["tx_amount/customer_avg_amount_30d", "customer_nb_tx_1d", "V1"], mean: [1, 0, 0], scale: [1, 1, 1], weights: [2, 1, 0], intercept: -4, threshold: 0.5)
    {
        Version = "lr-test",
    };

    private static (Decision Decision, JsonElement Vigil) Decide(string record, DetectionModels? models, RuleSet? rules = null)
    {
        var transaction = new Transaction();
        Assert.True(new TransactionDecoder().TryDecode(Encoding.UTF8.GetBytes(record), transaction, out var failure), failure?.Reason);
        var detector = new Detector(rules ?? RuleSet.AmountThreshold(900)) { Models = models };
        var decision = new Decision();
        detector.Decide(transaction, decision);
        var output = new byte[DecisionEncoder.MaxLength(transaction, decision)];
        Assert.True(DecisionEncoder.TryWrite(transaction, decision, 0, 7, output, out var written));
        return (decision, JsonDocument.Parse(output.AsMemory(0, written)).RootElement.GetProperty("vigil"));
    }

    [Fact]
    public void A_model_reads_its_inputs_from_the_features_object_and_flags_at_its_threshold_with_reasons()
    {
        var (decision, vigil) = Decide(
            """{"amount":400,"features":{"tx_amount":400,"customer_avg_amount_30d":50,"customer_nb_tx_1d":2},"V1":3}""", new(Model));

        // Ratio 8 → margin −4 + 14 + 2 = 12.
        Assert.Equal(Vigil.Models.Model.Sigmoid(12), decision.ModelScore, 12);
        Assert.True(vigil.GetProperty("fraud").GetBoolean());
        var reasons = vigil.GetProperty("reasons").EnumerateArray().ToList();
        Assert.Equal(["model:tx_amount/customer_avg_amount_30d", "model:customer_nb_tx_1d"], reasons.Select(r => r.GetProperty("code").GetString()));
        Assert.Equal("tx_amount/customer_avg_amount_30d = 8", reasons[0].GetProperty("text").GetString());
        Assert.Equal(14, reasons[0].GetProperty("contribution").GetDouble());
        Assert.Equal("lr-test", vigil.GetProperty("versions").GetProperty("model").GetString());
        Assert.True(vigil.GetProperty("model").GetProperty("fraud").GetBoolean());
    }

    [Fact]
    public void An_answer_to_one_request_carries_the_output_records_decision_and_reasons_and_the_models_version()
    {
        var (decision, vigil) = Decide(
            """{"amount":950,"features":{"tx_amount":950,"customer_avg_amount_30d":50,"customer_nb_tx_1d":2}}""", new(Model));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            DecisionEncoder.WriteAnswer(writer, decision);
            writer.WriteEndObject();
        }

        var answer = JsonDocument.Parse(buffer.ToArray()).RootElement;
        Assert.True(answer.GetProperty("fraud").GetBoolean());
        Assert.Equal(vigil.GetProperty("score").GetDouble(), answer.GetProperty("score").GetDouble());
        Assert.Equal(vigil.GetProperty("reasons").GetRawText(), answer.GetProperty("reasons").GetRawText());
        Assert.Equal(["amount_threshold", "model:tx_amount/customer_avg_amount_30d", "model:customer_nb_tx_1d"],
            answer.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
        Assert.Equal(0.5, answer.GetProperty("threshold").GetDouble());
        Assert.Equal("lr-test", answer.GetProperty("model_version").GetString());
        Assert.Equal("builtin:amount>=900", answer.GetProperty("rules_version").GetString());
        Assert.False(answer.TryGetProperty("review", out _));
    }

    [Fact]
    public void Below_its_threshold_the_model_gives_a_score_but_no_reasons_and_a_rule_still_flags()
    {
        var record = """{"amount":950,"features":{"tx_amount":950,"customer_avg_amount_30d":950,"customer_nb_tx_1d":null}}""";

        var (decision, vigil) = Decide(record, new(Model));

        Assert.False(decision.ModelFlagged);
        Assert.True(decision.IsFraud);
        Assert.Equal(["amount_threshold"], vigil.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
        Assert.Equal(1.0, vigil.GetProperty("score").GetDouble());
        Assert.Equal(Vigil.Models.Model.Sigmoid(-4), vigil.GetProperty("model").GetProperty("score").GetDouble(), 5);
    }

    [Fact]
    public void A_shadow_model_is_scored_and_reported_but_does_not_decide()
    {
        var alarmist = new LogisticModel(["customer_nb_tx_1d"], [0], [1], [0], intercept: 5, threshold: 0.5) { Version = "lr-shadow" };

        var (decision, vigil) = Decide("""{"amount":10,"features":{"tx_amount":10,"customer_avg_amount_30d":10,"customer_nb_tx_1d":1}}""", new(Model, alarmist));

        Assert.False(decision.IsFraud);
        Assert.True(decision.ShadowFlagged);
        Assert.Equal("lr-shadow", vigil.GetProperty("versions").GetProperty("shadow").GetString());
        Assert.True(vigil.GetProperty("shadow").GetProperty("fraud").GetBoolean());
        Assert.False(vigil.GetProperty("fraud").GetBoolean());
    }

    [Fact]
    public void Without_a_model_decisions_carry_no_model_part()
    {
        var (_, vigil) = Decide("""{"amount":10}""", null);

        Assert.False(vigil.TryGetProperty("model", out _));
        Assert.False(vigil.GetProperty("versions").TryGetProperty("model", out _));
    }

    [Fact]
    public void A_missing_feature_is_nan_and_a_ratio_by_zero_is_nan_so_neither_contributes()
    {
        var (decision, _) = Decide("""{"amount":10,"features":{"tx_amount":10,"customer_avg_amount_30d":0}}""", new(Model));

        Assert.Equal(Vigil.Models.Model.Sigmoid(-4), decision.ModelScore, 12);
    }

    [Fact]
    public void Only_the_three_largest_positive_contributions_become_reasons_largest_first()
    {
        // Standardized values are the inputs themselves: contributions 1, 4, −5, 2 and 3.
        var wide = new LogisticModel(["a", "b", "c", "d", "e"], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], intercept: 0, threshold: 0.5);

        var (_, vigil) = Decide("""{"amount":1,"features":{"a":1,"b":4,"c":-5,"d":2,"e":3}}""", new(wide));

        Assert.Equal(["model:b", "model:e", "model:d"], vigil.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
    }
}
