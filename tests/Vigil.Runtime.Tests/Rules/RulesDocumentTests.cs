using Vigil.Features;
using Vigil.Rules;
using Vigil.Runtime.Rules;
using Vigil.Testing;

namespace Vigil.Runtime.Tests.Rules;

public sealed class RulesDocumentTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-rules-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private const string Valid = """
        version: 2026-11-22.1
        lists:
          blocklist: [C1, 2167]
          trusted: { file: trusted.txt }
        rules:
          - name: large
            expression: amount >= 900
          - name: velocity
            expression: customer_nb_tx_1d > 20 and amount > 3 * customer_avg_amount_30d
            action: review
            score: 0.4
          - name: blocked
            expression: customer_id in blocklist
          - name: trusted_terminal
            expression: terminal_id in trusted
            action: allow
          - name: night
            expression: |
              tx_during_night == 1
                and amount > 100
            enabled: false
        """;

    private RulesDocument Parse(string text, FeatureSet? features = null) => RulesDocument.Parse(text, "rules.yaml", _directory, features ?? FeatureSet.Vigil);

    [Fact]
    public void A_rules_file_gives_rules_lists_actions_scores_and_a_version_with_its_hash()
    {
        File.WriteAllText(Path.Combine(_directory, "trusted.txt"), "# terminals\nT1\n\n  T2  \n");

        var document = Parse(Valid);

        Assert.Equal(["large", "velocity", "blocked", "trusted_terminal", "night"], document.Definitions.Select(d => d.Name));
        Assert.Equal(["large", "velocity", "blocked", "trusted_terminal"], document.RuleSet.Rules.Select(r => r.Name));
        Assert.Equal([RuleAction.Flag, RuleAction.Review, RuleAction.Flag, RuleAction.Allow], document.RuleSet.Rules.Select(r => r.Action));
        Assert.Equal([1, 0.4, 1, 0], document.RuleSet.Rules.Select(r => r.Score));
        Assert.Equal(["T1", "T2"], document.Lists["trusted"]);
        Assert.Equal(["C1", "2167"], document.Lists["blocklist"]);
        Assert.Equal([Path.Combine(_directory, "trusted.txt")], document.Files);
        Assert.Matches("^2026-11-22.1:[0-9a-f]{8}$", document.RuleSet.Version);
        Assert.Equal(document.RuleSet.Version, Parse(Valid).RuleSet.Version);

        File.WriteAllText(Path.Combine(_directory, "trusted.txt"), "T1\n");
        Assert.NotEqual(document.RuleSet.Version, Parse(Valid).RuleSet.Version);
        Assert.StartsWith("rules:", Parse("rules: []").RuleSet.Version, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rules:\n  - name: a\n    expression: amount >= 'x'\n", 3, 24, "rule 'a': text is compared with == , != or in")]
    [InlineData("rules:\n  - name: a\n    expression: \"amount >= 1 and customer_nb_tx_9d > 1\"\n", 3, 34, "rule 'a': unknown name 'customer_nb_tx_9d'")]
    [InlineData("rules:\n  - name: a\n    expression: |\n      amount >= 1\n        and bogus > 1\n", 5, 13, "rule 'a': unknown name 'bogus'")]
    [InlineData("rules:\n  - name: a\n    expresion: amount > 1\n", 3, 5, "unknown key 'expresion' in a rule")]
    [InlineData("rules:\n  - name: a\n    expression: amount > 1\n  - name: a\n    expression: amount > 2\n", 4, 5, "two rules are named 'a'")]
    [InlineData("rules:\n  - name: a\n    expression: amount > 1\n    action: block\n", 4, 13, "action 'block' is not flag, review or allow")]
    [InlineData("rules:\n  - name: a\n    expression: amount > 1\n    score: 2\n", 4, 12, "score '2' is not a number from 0 to 1")]
    [InlineData("rules:\n  - name: a\n    expression: amount > 1\n    enabled: maybe\n", 4, 14, "enabled is true or false")]
    [InlineData("rules:\n  - name: a\n", 2, 5, "rule 'a' has no expression")]
    [InlineData("rules:\n  - name: 'bad name'\n    expression: amount > 1\n", 2, 5, "is not a name")]
    [InlineData("lists:\n  amount: [1]\nrules: []\n", 2, 3, "'amount' cannot name a list")]
    [InlineData("lists:\n  l: { file: missing.txt }\nrules: []\n", 2, 14, "list 'l': cannot read")]
    [InlineData("rules:\n  - [a, b\n", 3, 1, "not valid YAML")]
    [InlineData("rule:\n  - name: a\n", 1, 1, "unknown key 'rule' in the document")]
    public void Errors_name_the_file_line_and_column(string text, int line, int column, string problem)
    {
        var error = Assert.Throws<RulesFileException>(() => Parse(text));

        Assert.True(error.Message.StartsWith($"rules.yaml:{line}:{column}: ", StringComparison.Ordinal), error.Message);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_without_rules_is_refused()
    {
        var error = Assert.Throws<RulesFileException>(() => Parse("version: 1\n"));

        Assert.Equal("rules.yaml: the document needs 'rules:', a list of rules (each with name and expression)", error.Message);
    }

    [Fact]
    public void A_rule_on_features_the_pipeline_does_not_compute_is_refused()
    {
        var error = Assert.Throws<RulesFileException>(() => Parse("rules:\n  - name: a\n    expression: terminal_risk_7d > 0.5\n", FeatureSet.None));

        Assert.Contains("this pipeline computes no features", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Live_rules_swap_valid_updates_and_reject_invalid_ones_keeping_the_old_rules()
    {
        var swapped = new List<RuleSet>();
        var log = new List<string>();
        var initial = Parse("version: one\nrules:\n  - name: a\n    expression: amount > 1\n").RuleSet;
        var live = new LiveRules(initial, FeatureSet.None, swapped.Add, new ListLogger(log));

        Assert.False(live.Offer(f => RulesDocument.Parse("rules:\n  - name: a\n    expression: amount >\n", "vigil.rules[0]@3", _directory, f), "vigil.rules[0]@3"));
        Assert.Same(initial, live.Current);
        Assert.Equal($"rules update from vigil.rules[0]@3 rejected: vigil.rules[0]@3:3:25: rule 'a': expected a value, found the end of the expression; still deciding with {initial.Version}", Assert.Single(log));

        Assert.True(live.Offer(f => RulesDocument.Parse("version: two\nrules:\n  - name: b\n    expression: amount > 2\n", "file", _directory, f), "file"));
        Assert.False(live.Offer(f => RulesDocument.Parse("version: two\nrules:\n  - name: b\n    expression: amount > 2\n", "file", _directory, f), "file"));

        Assert.Equal("b", Assert.Single(swapped).Rules[0].Name);
        Assert.Equal((1, 1), (live.Swaps, live.Rejected));
        Assert.StartsWith($"rules swapped from file: {initial.Version} → two:", log[^1], StringComparison.Ordinal);
    }
}
