using System.Text.Json;
using Vigil.Cli.Rules;
using Vigil.Cli.Tests.Commands;
using Vigil.Features;
using Vigil.Rules;
using Vigil.Runtime.Rules;
using Vigil.Testing;

namespace Vigil.Cli.Tests.Rules;

public sealed class RulesCommandTests() : TempDirectoryTest("vigil-rules-")
{
    private const string Rules = """
        version: test
        lists:
          trusted: { file: trusted.txt }
        rules:
          - name: large
            expression: amount >= 220
          - name: busy
            expression: customer_nb_tx_1d >= 4
            action: review
          - name: trusted_terminal
            expression: terminal_id in trusted
            action: allow
          - name: everything
            expression: amount >= 0
            enabled: false
        """;

    private string WriteRules(string text = Rules, string trusted = "0\n")
    {
        File.WriteAllText(Path.Combine(Directory, "trusted.txt"), trusted);
        var path = Path.Combine(Directory, "rules.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Check_shows_what_each_rule_does_on_a_labelled_dataset()
    {
        var data = Path.Combine(Directory, "data.csv");
        var (generated, _, generateError) = await CliRunner.RunAsync(["generate", "--out", data, "--customers", "200", "--terminals", "400", "--days", "20", "--seed", "3"]);
        Assert.True(generated == 0, generateError);

        var (exitCode, stdout, error) = await CliRunner.RunAsync(["rules", "check", WriteRules(), "--data", data]);

        Assert.True(exitCode == 0, error + stdout);
        Assert.Matches(@"rules\.yaml: valid · version test:[0-9a-f]{8} · 4 rules \(3 enabled\) · features: vigil", stdout);
        Assert.Contains("list trusted: 1 entries", stdout, StringComparison.Ordinal);
        var rows = File.ReadLines(data).Skip(1).Select(l => l.Split(',')).ToList();
        var large = rows.Count(r => double.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture) >= 220);
        Assert.Matches($@"large +flag +1 +amount >= 220 +{large:N0} ", stdout);
        // Every transaction at 220 or more is scenario-1 fraud in the simulator, so the rule's hits are all fraud.
        Assert.Matches(@"large .* 100\.0 % ", stdout);
        Assert.Matches($@"everything \(disabled\) +flag +1 +amount >= 0 +{rows.Count:N0} +100\.0 %", stdout);
        Assert.Matches($@"data\.csv: {rows.Count:N0} transactions, {rows.Count(r => r[5] == "1"):N0} frauds", stdout);
        Assert.Matches(@"enabled rules together: [\d,]+ flagged .*, of which [\d,]+ fraud \(precision 100\.0 %, recall [\d.]+ %\) · [\d,]+ to review · [\d,]+ allowed", stdout);
    }

    [Fact]
    public async Task Check_reads_other_numeric_fields_of_the_record_on_the_ulb_file()
    {
        var ulb = Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data/ulb/creditcard_first_9528_rows.csv.gz");
        var rules = Write("ulb.yaml", "rules:\n  - name: v14\n    expression: record.V14 < -5 and record.V4 > 2\n  - name: never\n    expression: record.V99 is not null\n");

        var (exitCode, stdout, error) = await CliRunner.RunAsync(["rules", "check", rules, "--data", ulb]);

        Assert.True(exitCode == 0, error + stdout);
        Assert.Contains("features: none", stdout, StringComparison.Ordinal);
        Assert.Matches(@"creditcard_first_9528_rows\.csv\.gz: 9,528 transactions, \d+ frauds", stdout);
        // Large negative V14 with large V4 is the ULB file's strongest fraud signal: most hits are fraud.
        Assert.Matches(@"v14 +flag +1 +record\.V14 < -5 and record\.V4 > 2 +\d+ +[\d.]+ % +([5-9]\d|100)\.\d %", stdout);
        Assert.Matches(@"never +flag +1 +record\.V99 is not null +0 ", stdout);
    }

    [Fact]
    public async Task The_documented_example_rules_file_is_valid()
    {
        var example = Path.Combine(AppContext.BaseDirectory, "../../../../../docs/examples/rules.yaml");

        var (exitCode, stdout, error) = await CliRunner.RunAsync(["rules", "check", example]);

        Assert.True(exitCode == 0, error + stdout);
        Assert.Contains("6 rules (5 enabled)", stdout, StringComparison.Ordinal);
        Assert.Contains("list trusted: 2 entries", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_without_data_validates_and_lists_the_rules()
    {
        var (exitCode, stdout, error) = await CliRunner.RunAsync(["rules", "check", WriteRules()]);

        Assert.True(exitCode == 0, error + stdout);
        Assert.Contains("busy", stdout, StringComparison.Ordinal);
        Assert.Contains("give --data FILE", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_rules_file_is_one_line_naming_rule_line_and_column_and_exit_code_2()
    {
        var path = WriteRules(Rules.Replace("customer_nb_tx_1d >= 4", "customer_nb_tx_1d >= ", StringComparison.Ordinal));

        foreach (var args in new[] { new[] { "rules", "check", path }, ["demo", "--rules", path, "--no-dashboard", "--count", "10"] })
        {
            var (exitCode, _, error) = await CliRunner.RunAsync(args);

            Assert.Equal(2, exitCode);
            Assert.Equal($"vigil: invalid rules: {path}:8:37: rule 'busy': expected a value, found the end of the expression", error.Trim());
        }
    }

    [Fact]
    public async Task Rules_replace_the_threshold_rather_than_join_it()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["demo", "--rules", WriteRules(), "--threshold", "100", "--no-dashboard"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("--threshold sets the built-in amount rule, which --rules replaces", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Editing_the_rules_file_or_a_list_swaps_the_rules_and_a_broken_edit_is_rejected()
    {
        var path = WriteRules();
        var files = RuleFiles.Open(path, 900, thresholdGiven: false, FeatureSet.Vigil);
        var swapped = new List<RuleSet>();
        var log = new List<string>();
        var live = new LiveRules(files.Initial, FeatureSet.Vigil, swapped.Add, new ListLogger(log));

        files.Check(live);
        File.WriteAllText(path, Rules.Replace("220", "300", StringComparison.Ordinal));
        files.Check(live);
        File.WriteAllText(Path.Combine(Directory, "trusted.txt"), "0\n1\n2\n");
        files.Check(live);
        File.WriteAllText(path, Rules.Replace("220", "300 or", StringComparison.Ordinal));
        files.Check(live);

        Assert.Equal(2, swapped.Count);
        Assert.Equal("amount >= 300", swapped[0].Rules[0].Expression);
        Assert.NotEqual(swapped[0].Version, swapped[1].Version);
        Assert.Equal((2, 1), (live.Swaps, live.Rejected));
        Assert.Contains("rejected: ", log[2], StringComparison.Ordinal);
        Assert.EndsWith($"still deciding with {swapped[1].Version}", log[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_decides_with_the_rules_file_and_records_its_version_and_actions()
    {
        var output = Path.Combine(Directory, "out");

        var (exitCode, stdout, error) = await CliRunner.RunAsync(
            ["demo", "--count", "3000", "--seed", "1", "--rate", "max", "--no-dashboard", "--rules", WriteRules(trusted: string.Join('\n', Enumerable.Range(0, 200))), "--out", output]);

        Assert.True(exitCode == 0, error + stdout);
        Assert.Matches(@"rules rules\.yaml \(3 of 4 enabled, version test:[0-9a-f]{8}\)", stdout);
        Assert.Matches(@"rules +test:[0-9a-f]{8} \(3 rules\) · 0 swapped in, 0 updates rejected", stdout);
        var decided = System.IO.Directory.GetFiles(output, "streaming.*.jsonl").SelectMany(File.ReadLines).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3000, decided.Count);
        foreach (var record in decided)
        {
            var vigil = record.GetProperty("vigil");
            Assert.StartsWith("test:", vigil.GetProperty("versions").GetProperty("rules").GetString(), StringComparison.Ordinal);
            var trusted = int.Parse(record.GetProperty("terminal_id").ToString(), System.Globalization.CultureInfo.InvariantCulture) < 200;
            var large = record.GetProperty("amount").GetDouble() >= 220;
            var busy = record.GetProperty("features").GetProperty("customer_nb_tx_1d").GetDouble() >= 4;
            Assert.Equal(large && !trusted, vigil.GetProperty("fraud").GetBoolean());
            Assert.Equal(busy && !large && !trusted, vigil.TryGetProperty("review", out var review) && review.GetBoolean());
            Assert.Equal(trusted, vigil.TryGetProperty("allowed", out _));
        }

        Assert.Contains(decided, r => r.GetProperty("vigil").TryGetProperty("review", out _));
        Assert.Contains(decided, r => r.GetProperty("vigil").TryGetProperty("allowed", out _));
    }
}
