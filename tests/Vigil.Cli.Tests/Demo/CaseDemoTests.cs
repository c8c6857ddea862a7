using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vigil.Cli.Tests.Commands;
using Vigil.Store;
using Vigil.Store.Cases;

namespace Vigil.Cli.Tests.Demo;

/// <summary>The demo files its alerts as cases, serves the review queue on its dashboard, and vigil cases lists them.</summary>
public sealed partial class CaseDemoTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-case-demo-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    private string[] Demo(int days, params string[] more) =>
        ["demo", "--days", $"{days}", "--customers", "500", "--terminals", "1000", "--seed", "5", "--retrain", "false", "--data-dir", DataDirectory, .. more];

    [Fact]
    public async Task Every_alert_is_filed_in_its_card_s_case_and_vigil_cases_lists_them_and_the_audit_trail()
    {
        var (exitCode, text, error) = await CliRunner.RunAsync([.. Demo(10, "--rate", "max", "--no-dashboard", "--review-capacity", "5")]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("cases:     every alert opens or joins its card's case in ", text, StringComparison.Ordinal);
        Assert.Contains("capacity 5 cases a day", text, StringComparison.Ordinal);
        var fraud = long.Parse(Regex.Match(text, @"fraud +([\d,]+) \(").Groups[1].Value.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        var line = CasesLine().Match(text);
        Assert.True(line.Success, text);
        Assert.Equal(fraud, long.Parse(line.Groups[1].Value.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture));
        using (var database = VigilDatabase.Open(DataDirectory))
        {
            var (run, count) = Assert.Single(CaseStore.Runs(database));
            Assert.Equal(line.Groups[2].Value, count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(fraud, new CaseStore(database, run).Queue(new CaseQuery(Limit: 500)).Cases.Sum(c => c.Alerts));
        }

        var (listed, listing, listError) = await CliRunner.RunAsync(["cases", "--data-dir", DataDirectory]);
        Assert.True(listed == 0, listError);
        Assert.Contains($"{line.Groups[2].Value} open, 0 fraud, 0 genuine · 1 run with cases", listing, StringComparison.Ordinal);
        var (audited, audit, _) = await CliRunner.RunAsync(["cases", "--data-dir", DataDirectory, "--audit", "true"]);
        Assert.Equal(0, audited);
        Assert.Contains("vigil", audit, StringComparison.Ordinal);
        Assert.Contains("– → open", audit, StringComparison.Ordinal);
        var (_, frauds, _) = await CliRunner.RunAsync(["cases", "--data-dir", DataDirectory, "--status", "fraud"]);
        Assert.DoesNotContain(" open ", frauds.Split('\n').Skip(1).FirstOrDefault() ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_analyst_decides_a_case_on_the_running_demo_s_queue_and_the_verdict_is_counted_written_as_labels_and_audited()
    {
        using var demo = CliProcesses.Start([.. Demo(8, "--speed", "43200", "--port", "0")]);
        try
        {
            var address = await CliProcesses.DashboardAddressAsync(demo, Timeout);
            Assert.NotNull(address);
            var output = demo.StandardOutput.ReadToEndAsync();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            JsonElement first = default;
            for (var i = 0; i < 100; i++)
            {
                using var page = JsonDocument.Parse(await http.GetStringAsync(new Uri(address, "api/cases")));
                if (page.RootElement.GetProperty("cases").GetArrayLength() > 0)
                {
                    first = page.RootElement.GetProperty("cases")[0].Clone();
                    break;
                }

                await Task.Delay(200);
            }

            Assert.Equal(JsonValueKind.Object, first.ValueKind);
            var id = first.GetProperty("id").GetInt64();
            using var decided = await http.PostAsJsonAsync(new Uri(address, $"api/cases/{id}/verdict"), new { verdict = "fraud", note = "confirmed" });
            Assert.True(decided.IsSuccessStatusCode, await decided.Content.ReadAsStringAsync());

            Assert.True(demo.WaitForExit(Timeout), "the demo did not finish");
            var text = await output;
            Assert.Equal(0, demo.ExitCode);
            Assert.Contains($"verdicts this run: 1 fraud, 0 genuine ({first.GetProperty("alerts").GetInt32()} labels written at once)", text, StringComparison.Ordinal);
            var (_, audit, _) = await CliRunner.RunAsync(["cases", "--data-dir", DataDirectory, "--audit", "true"]);
            Assert.Matches($@"local +│? *decide +│? *case {id} ", audit.Replace("|", " ", StringComparison.Ordinal));
        }
        finally
        {
            if (!demo.HasExited)
            {
                demo.Kill();
            }
        }
    }

    [Fact]
    public async Task Without_cases_and_without_retraining_the_demo_keeps_no_database()
    {
        var (exitCode, text, error) = await CliRunner.RunAsync([.. Demo(3, "--rate", "max", "--no-dashboard", "--cases", "false")]);

        Assert.True(exitCode == 0, error);
        Assert.DoesNotContain("alerts filed", text, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(DataDirectory, VigilDatabase.FileName)));
        var (listed, listing, _) = await CliRunner.RunAsync(["cases", "--data-dir", DataDirectory]);
        Assert.Equal(0, listed);
        Assert.StartsWith("no cases yet: ", listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulated_investigators_decide_the_riskiest_cases_each_day_by_the_truth_and_the_trail_names_them()
    {
        var (exitCode, text, error) = await CliRunner.RunAsync([.. Demo(12, "--rate", "max", "--no-dashboard", "--investigators", "4")]);

        Assert.True(exitCode == 0, error);
        var line = Regex.Match(text, @"investigators 4 cases a day for (\d+) days: (\d+) decided fraud, (\d+) genuine, (\d+) left open");
        Assert.True(line.Success, text);
        Assert.Equal(11, int.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)); // each day after the first
        var decided = int.Parse(line.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) + int.Parse(line.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(decided, 1, 44);
        Assert.Contains($"verdicts this run: {line.Groups[2].Value} fraud, {line.Groups[3].Value} genuine", text, StringComparison.Ordinal);
        using var database = VigilDatabase.Open(DataDirectory);
        var store = new CaseStore(database, CaseStore.Runs(database).Single().Run);
        var decisions = store.AuditTrail(limit: 10_000).Where(a => a.Action == "decide").ToList();
        Assert.Equal(decided, decisions.Count);
        Assert.All(decisions, d => Assert.Equal("investigator", d.Actor));
    }

    [Theory]
    [InlineData("demo", "--investigators", "-1", "--investigators")]
    [InlineData("demo", "--investigators", "501", "a whole number from 0 to 500")]
    [InlineData("demo", "--review-capacity", "0", "--review-capacity")]
    [InlineData("demo", "--review-capacity", "many", "--review-capacity")]
    [InlineData("demo", "--review-capacity", "2000000", "expected at most 1,000,000 cases a day")]
    [InlineData("demo", "--cases", "maybe", "--cases")]
    [InlineData("cases", "--status", "closed", "expected open, fraud, genuine or all")]
    public async Task A_bad_case_flag_is_one_line_and_exit_2(string command, string flag, string value, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync([command, flag, value, "--data-dir", DataDirectory]);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Investigators_without_cases_is_one_line_and_exit_2()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["demo", "--investigators", "5", "--cases", "false", "--data-dir", DataDirectory]);

        Assert.Equal(2, exitCode);
        Assert.Equal("vigil: --investigators reviews cases, and --cases is false: drop one of them", error.TrimEnd('\n'));
    }

    [Fact]
    public async Task Listing_a_run_that_has_no_cases_names_the_runs_that_do()
    {
        Assert.Equal(0, (await CliRunner.RunAsync([.. Demo(3, "--rate", "max", "--no-dashboard")])).ExitCode);

        var (exitCode, _, error) = await CliRunner.RunAsync(["cases", "--data-dir", DataDirectory, "--run", "19990101-000000"]);

        Assert.Equal(2, exitCode);
        Assert.Matches(@"^vigil: --run 19990101-000000: no such run with cases in .*; runs: \d{8}-\d{6}\n$", error);
    }

    [GeneratedRegex(@"cases +([\d,]+) alerts filed in ([\d,]+) cases")]
    private static partial Regex CasesLine();
}
