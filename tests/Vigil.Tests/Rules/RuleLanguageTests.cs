using System.Text;
using System.Text.Json;
using Vigil.Detection;
using Vigil.Features;
using Vigil.Rules;
using Vigil.Rules.Language;
using Vigil.Transactions;

namespace Vigil.Tests.Rules;

public class RuleLanguageTests
{
    private const string Record =
        """{"transaction_id":"t-1","customer_id":2167,"terminal_id":"T9","currency":"EUR","amount":450,"features":{"customer_nb_tx_1d":25,"customer_avg_amount_30d":100,"terminal_risk_7d":null,"tx_during_night":1}}""";

    private static readonly RuleCatalog Catalog = new(FeatureSet.Vigil, new Dictionary<string, IReadOnlyList<string>>
    {
        ["blocklist"] = ["2167", "3452"],
        ["vip"] = ["C-7"],
        ["codes"] = ["5411", "5812"],
    });

    private static bool Matches(string expression, string record = Record)
    {
        var rules = RuleSet.Compile("test", [new RuleDefinition("r", expression)], Catalog);
        var transaction = new Transaction();
        Assert.True(new TransactionDecoder().TryDecode(Encoding.UTF8.GetBytes(record), transaction, out _));
        var decision = new Decision();
        new Detector(rules).Decide(transaction, decision);
        return decision.FiredCount == 1;
    }

    [Theory]
    [InlineData("amount >= 450", true)]
    [InlineData("amount > 450", false)]
    [InlineData("amount = 450 and currency == 'EUR'", true)]
    [InlineData("customer_nb_tx_1d > 20 and amount > 3 * customer_avg_amount_30d", true)]
    [InlineData("customer_nb_tx_1d > 20 and amount > 5 * customer_avg_amount_30d", false)]
    [InlineData("amount / customer_avg_amount_30d >= 4.5", true)]
    [InlineData("(amount - 50) % 100 == 0", true)]
    [InlineData("-amount < -400", true)]
    [InlineData("customer_id in blocklist", true)]
    [InlineData("customer_id not in blocklist", false)]
    [InlineData("customer_id in [2167]", true)]
    [InlineData("terminal_id in ['T1', \"T9\"]", true)]
    [InlineData("terminal_id != 'T9'", false)]
    [InlineData("amount in [100, 450]", true)]
    [InlineData("tx_during_night == 1 && !(amount < 100)", true)]
    [InlineData("amount > 1000 or customer_nb_tx_1d >= 25", true)]
    [InlineData("abs(-amount) == max(amount, 10) and min(1, 2) == 1", true)]
    [InlineData("true", true)]
    [InlineData("not true", false)]
    [InlineData("AMOUNT_IS_NOT_A_KEYWORD_BUT = 1 or amount > 0", true)]
    public void Expressions_evaluate_as_written(string expression, bool expected)
    {
        if (expression.StartsWith("AMOUNT", StringComparison.Ordinal))
        {
            // Names are case-sensitive: an unknown upper-case name is refused, not read as amount.
            Assert.Throws<RuleSyntaxException>(() => Matches(expression));
            return;
        }

        Assert.Equal(expected, Matches(expression));
    }

    [Theory]
    [InlineData("terminal_risk_7d > 0.5", false)]
    [InlineData("not (terminal_risk_7d > 0.5)", false)]
    [InlineData("terminal_risk_7d > 0.5 or amount > 100", true)]
    [InlineData("terminal_risk_7d > 0.5 and amount > 100", false)]
    [InlineData("terminal_risk_7d > 0.5 and amount > 1000", false)]
    [InlineData("terminal_risk_7d is null", true)]
    [InlineData("terminal_risk_7d is not null", false)]
    [InlineData("coalesce(terminal_risk_7d, 0) < 0.5", true)]
    [InlineData("terminal_risk_30d is null", true)]
    [InlineData("source is null", true)]
    [InlineData("source == 'x'", false)]
    [InlineData("source != 'x'", false)]
    [InlineData("record.V14 < 0", false)]
    [InlineData("amount / 0 > 1 or amount / 0 <= 1", false)]
    public void Nulls_are_unknown_and_a_rule_fires_only_when_its_condition_is_true(string expression, bool expected) =>
        Assert.Equal(expected, Matches(expression));

    [Fact]
    public void Record_fields_outside_the_features_are_read_by_name()
    {
        Assert.True(Matches("record.V14 < -5 and record.V4 > 2", """{"amount":1,"V4":3.5,"V14":-7.25}"""));
        Assert.False(Matches("record.V14 < -8", """{"amount":1,"V4":3.5,"V14":-7.25}"""));
    }

    [Fact]
    public void Escaped_text_fields_compare_by_their_meaning()
    {
        Assert.True(Matches("customer_id == 'C-7' and customer_id in vip", """{"amount":1,"customer_id":"C\u002d7"}"""));
    }

    [Theory]
    [InlineData("amount >", 1, 9, "expected a value, found the end of the expression")]
    [InlineData("amount >= 900 900", 1, 15, "unexpected '900'")]
    [InlineData("customer_nb_tx_2d > 3", 1, 1, "unknown name 'customer_nb_tx_2d' (did you mean customer_nb_tx_1d?)")]
    [InlineData("amount + 1", 1, 8, "expected a condition")]
    [InlineData("amount > 'high'", 1, 8, "text is compared with == , != or in")]
    [InlineData("customer_id > 3", 1, 13, "text is compared with == , != or in")]
    [InlineData("amount == null", 1, 8, "write 'is null'")]
    [InlineData("amount in nothing", 1, 11, "unknown name 'nothing'")]
    [InlineData("amount in codes and amount in [1, 'x']", 1, 35, "'x' is not a number")]
    [InlineData("amount > 1 and\n  (customer_id in blocklist or amount * 'x' > 2)", 2, 41, "expected a number, found a text")]
    [InlineData("amount > 1 and 'x'", 1, 16, "expected a condition")]
    [InlineData("(amount > 1", 1, 12, "expected ')'")]
    [InlineData("amount > 1 & amount < 2", 1, 12, "unexpected character '&'")]
    [InlineData("currency == 'EUR", 1, 13, "is not closed")]
    [InlineData("amount in vip", 1, 11, "list 'vip' holds 'C-7', which is not a number")]
    [InlineData("sqrt(amount) > 1", 1, 1, "unknown function 'sqrt'")]
    [InlineData("max(amount) > 1", 1, 1, "max takes 2 arguments, not 1")]
    [InlineData("amount > 1e999", 1, 10, "is not a number")]
    [InlineData("  ", 1, 3, "the expression is empty")]
    [InlineData("amount is 3", 1, 11, "expected 'null' after 'is'")]
    [InlineData("amount > 1 and", 1, 15, "expected a value")]
    public void Errors_name_the_rule_line_and_column(string expression, int line, int column, string problem)
    {
        var error = Assert.Throws<RuleSyntaxException>(() => RuleSet.Compile("v", [new RuleDefinition("large", expression)], Catalog));

        Assert.Equal("large", error.Rule);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith($"rule 'large', line {line}, column {column}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reasons_show_a_multi_line_expression_on_one_line_without_its_comments()
    {
        var rules = RuleSet.Compile("v", [new RuleDefinition("r", "amount >= 1   # large\n  and currency != 'E#R' # not euros\n# done\n")], Catalog);

        Assert.Equal("""{"code":"r","text":"amount >= 1 and currency != 'E#R'"}""", Encoding.UTF8.GetString(rules.Rules[0].ReasonUtf8));
        Assert.True(Matches("amount >= 1   # large\n  and currency != 'E#R' # not euros\n"));
    }

    [Fact]
    public void A_feature_the_pipeline_does_not_compute_is_refused()
    {
        var error = Assert.Throws<RuleSyntaxException>(() => RuleSet.Compile("v", [new RuleDefinition("r", "terminal_risk_7d > 0.5")], RuleCatalog.For(FeatureSet.None)));

        Assert.Contains("this pipeline computes no features", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_share_inputs_and_disabled_rules_are_checked_but_not_run()
    {
        var rules = RuleSet.Compile("v", [
            new RuleDefinition("a", "customer_nb_tx_1d > 1 and amount > 1"),
            new RuleDefinition("b", "customer_nb_tx_1d > 2 or customer_avg_amount_30d > 1", Enabled: false),
            new RuleDefinition("c", "customer_avg_amount_30d > 1"),
        ], Catalog);

        Assert.Equal(["a", "c"], rules.Rules.Select(r => r.Name));
        Assert.Equal(["customer_nb_tx_1d", "customer_avg_amount_30d"], rules.Inputs);
        Assert.Throws<RuleSyntaxException>(() => RuleSet.Compile("v", [new RuleDefinition("off", "amount >", Enabled: false)], Catalog));
    }

    [Fact]
    public void Actions_decide_together_allow_over_flag_over_review()
    {
        var rules = RuleSet.Compile("v1", [
            new RuleDefinition("big", "amount >= 400", RuleAction.Flag, 0.7),
            new RuleDefinition("busy", "customer_nb_tx_1d > 20", RuleAction.Review, 0.2),
            new RuleDefinition("trusted", "terminal_id == 'T1'", RuleAction.Allow, 0),
        ], Catalog);
        var detector = new Detector(rules);

        var (flagged, flaggedJson) = Decide(detector, Record);
        Assert.True(flagged.IsFraud);
        Assert.False(flagged.Review);
        Assert.Equal(0.9, flagged.Score, 12);
        Assert.Equal(["big", "busy"], flaggedJson.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
        Assert.Equal("review", flaggedJson.GetProperty("reasons")[1].GetProperty("action").GetString());

        var (review, reviewJson) = Decide(detector, Record.Replace("\"amount\":450", "\"amount\":45", StringComparison.Ordinal));
        Assert.False(review.IsFraud);
        Assert.True(review.Review);
        Assert.True(reviewJson.GetProperty("review").GetBoolean());

        var (allowed, allowedJson) = Decide(detector, Record.Replace("\"T9\"", "\"T1\"", StringComparison.Ordinal));
        Assert.False(allowed.IsFraud);
        Assert.False(allowed.Review);
        Assert.True(allowedJson.GetProperty("allowed").GetBoolean());
        Assert.Equal("v1", allowedJson.GetProperty("versions").GetProperty("rules").GetString());
        Assert.Equal("allow", allowedJson.GetProperty("reasons")[2].GetProperty("action").GetString());
    }

    private static (Decision Decision, JsonElement Vigil) Decide(Detector detector, string record)
    {
        var transaction = new Transaction();
        Assert.True(new TransactionDecoder().TryDecode(Encoding.UTF8.GetBytes(record), transaction, out _));
        var decision = new Decision();
        detector.Decide(transaction, decision);
        var output = new byte[DecisionEncoder.MaxLength(transaction, decision)];
        Assert.True(DecisionEncoder.TryWrite(transaction, decision, 0, 0, output, out var written));
        return (decision, JsonDocument.Parse(output.AsMemory(0, written)).RootElement.GetProperty("vigil").Clone());
    }
}
