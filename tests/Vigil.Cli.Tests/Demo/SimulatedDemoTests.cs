using System.Text.Json;
using Vigil.Cli.Tests.Commands;

namespace Vigil.Cli.Tests.Demo;

public sealed class SimulatedDemoTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-simulated-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private IEnumerable<JsonElement> Lines(string topic) =>
        File.ReadLines(Path.Combine(_directory, topic + ".jsonl")).Select(line => JsonDocument.Parse(line).RootElement);

    [Fact]
    public async Task The_demo_joins_every_decision_with_its_delayed_label_and_reports_what_the_files_show()
    {
        var report = Path.Combine(_directory, "quality.json");

        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["demo", "--count", "40000", "--rate", "max", "--out", _directory, "--no-dashboard", "--seed", "3", "--label-delay", "1d", "--report", report]);

        Assert.True(exitCode == 0, error);
        var decisions = Lines("streaming.transactions.legit").Concat(Lines("streaming.transactions.fraud")).ToList();
        var labels = Lines("queueing.labels").ToDictionary(l => l.GetProperty("transaction_id").GetInt64());
        Assert.Equal(40_000, decisions.Count);
        Assert.Equal(40_000, labels.Count);

        // Ground truth never travels with the transaction: the detector could not have seen it.
        Assert.All(decisions, d => Assert.False(d.TryGetProperty("fraud", out _) || d.TryGetProperty("fraud_scenario", out _)));

        // Each label is reported a day of event time after its transaction.
        Assert.All(labels.Values, l => Assert.Equal(
            TimeSpan.FromDays(1), l.GetProperty("reported_at").GetDateTimeOffset() - l.GetProperty("timestamp").GetDateTimeOffset()));

        long tp = 0, fp = 0, tn = 0, fn = 0;
        foreach (var decision in decisions)
        {
            var flagged = decision.GetProperty("vigil").GetProperty("fraud").GetBoolean();
            var fraud = labels[decision.GetProperty("transaction_id").GetInt64()].GetProperty("fraud").GetInt32() == 1;
            (tp, fp, tn, fn) = (flagged, fraud) switch
            {
                (true, true) => (tp + 1, fp, tn, fn),
                (true, false) => (tp, fp + 1, tn, fn),
                (false, false) => (tp, fp, tn + 1, fn),
                _ => (tp, fp, tn, fn + 1),
            };
        }

        Assert.True(tp > 0 && fn > 0);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var matrix = json.RootElement.GetProperty("confusion_matrix");
        Assert.Equal(tp, matrix.GetProperty("true_positives").GetInt64());
        Assert.Equal(fp, matrix.GetProperty("false_positives").GetInt64());
        Assert.Equal(tn, matrix.GetProperty("true_negatives").GetInt64());
        Assert.Equal(fn, matrix.GetProperty("false_negatives").GetInt64());
        Assert.Equal((double)tp / (tp + fn), json.RootElement.GetProperty("recall").GetDouble(), 6);
        Assert.Equal(40_000, json.RootElement.GetProperty("labelled").GetInt64());
        Assert.Equal(3UL, json.RootElement.GetProperty("seed").GetUInt64());
        Assert.Contains("(40,000 labelled)", output, StringComparison.Ordinal);
        Assert.Contains("by scenario", output, StringComparison.Ordinal);
        Assert.Contains("rule amount >= 220", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_ends_when_the_simulation_does()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["demo", "--days", "2", "--customers", "300", "--terminals", "500", "--rate", "max", "--no-dashboard", "--seed", "1"]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("(all 2 simulated days generated)", output, StringComparison.Ordinal);
        Assert.Contains("event time    reached 2018-04-02", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "demo", "--profile", "seed", "--report", "q.json" }, "vigil: --report writes detection quality against ground truth, and the seed tutorials' generator has no labels")]
    [InlineData(new[] { "demo", "--profile", "seed", "--speed", "60" }, "vigil: --speed paces by event time, and the seed profile's transactions have none: use --rate, or --profile simulator")]
    [InlineData(new[] { "demo", "--profile", "bogus" }, "vigil: invalid --profile 'bogus': expected simulator or seed")]
    [InlineData(new[] { "demo", "--label-delay", "7" }, "vigil: invalid --label-delay '7': expected a duration such as 7d, 36h, 90m, 30s or 0")]
    [InlineData(new[] { "demo", "--days", "0" }, "vigil: invalid --days '0': expected a whole number of days from 1 to 1,000,000, or 'none' for no end")]
    [InlineData(new[] { "demo", "--start-date", "01/04/2018" }, "vigil: invalid --start-date '01/04/2018': expected a date such as 2018-04-01")]
    [InlineData(new[] { "demo", "--speed", "fast" }, "vigil: invalid --speed 'fast': expected 'realtime' or a factor such as 3600 (an hour of event time per second)")]
    public async Task Wrong_simulation_settings_are_one_line_and_exit_code_2(string[] args, string expected)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Equal(expected, error.Trim());
    }

    [Fact]
    public async Task A_setting_the_simulator_refuses_names_itself()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(
            ["demo", "--no-dashboard"], new System.Collections.Hashtable { ["VIGIL_Simulator__CompromisedTerminalsPerDay"] = "20000" });

        Assert.Equal(2, exitCode);
        Assert.Equal("vigil: Simulator:CompromisedTerminalsPerDay must be from 0 to the number of terminals.", error.Trim());
    }
}
