using System.Collections;
using System.Diagnostics;
using System.Text.Json;
using Vigil.Cli.Tests.Commands;

namespace Vigil.Cli.Tests.Demo;

public sealed class DemoCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-demo-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Output(string topic) => Path.Combine(_directory, topic + ".jsonl");

    [Fact]
    public async Task Demo_of_the_seed_profile_with_a_count_routes_every_transaction_to_the_topic_files_and_prints_a_summary()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["demo", "--profile", "seed", "--count", "20000", "--rate", "max", "--out", _directory, "--no-dashboard", "--seed", "7"]);

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        var legit = await File.ReadAllLinesAsync(Output("streaming.transactions.legit"));
        var fraud = await File.ReadAllLinesAsync(Output("streaming.transactions.fraud"));
        Assert.Equal(20_000, legit.Length + fraud.Length);
        Assert.Empty(await File.ReadAllLinesAsync(Output("deadletter.transactions")));
        Assert.All(fraud, line => Assert.True(JsonDocument.Parse(line).RootElement.GetProperty("amount").GetDouble() >= 900));
        Assert.All(legit, line => Assert.True(JsonDocument.Parse(line).RootElement.GetProperty("amount").GetDouble() < 900));
        Assert.Contains("Vigil demo finished", output, StringComparison.Ordinal);
        Assert.Contains("20,000 generated, 20,000 processed", output, StringComparison.Ordinal);
        Assert.Contains("20,000 transactions generated", output, StringComparison.Ordinal);
        Assert.Contains("--seed 7", output, StringComparison.Ordinal);
        Assert.Matches(@"gc +[\d,]+ collections \([\d,]+ gen0 · [\d,]+ gen1 · [\d,]+ gen2\), [\d,]+ ms paused", output);
    }

    [Fact]
    public async Task Demo_with_the_same_seed_writes_the_same_transactions()
    {
        string[] Args(string directory) => ["demo", "--count", "3000", "--rate", "max", "--out", directory, "--no-dashboard", "--seed", "99", "--partitions", "1"];
        var second = Directory.CreateTempSubdirectory("vigil-demo-").FullName;
        try
        {
            await CliRunner.RunAsync(Args(_directory));
            await CliRunner.RunAsync(Args(second));

            static IEnumerable<string> Transactions(string file) =>
                File.ReadLines(file).Select(l => l[..l.IndexOf(",\"vigil\"", StringComparison.Ordinal)]);
            Assert.Equal(
                Transactions(Output("streaming.transactions.fraud")),
                Transactions(Path.Combine(second, "streaming.transactions.fraud.jsonl")));
        }
        finally
        {
            Directory.Delete(second, recursive: true);
        }
    }

    [Fact]
    public async Task Demo_runs_for_its_duration_with_the_dashboard_then_exits_0_leaving_the_topic_files()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync(
            ["demo", "--duration", "2", "--rate", "5000", "--out", _directory, "--port", "0"],
            new Hashtable { ["FRAUD_TOPIC"] = "custom.fraud" });

        Assert.Equal(0, exitCode);
        Assert.Contains("duration reached", output, StringComparison.Ordinal);
        Assert.Contains("dashboard: http://127.0.0.1:", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Output("streaming.transactions.legit")));
        Assert.True(File.Exists(Output("custom.fraud")));
        var decided = File.ReadLines(Output("streaming.transactions.legit")).Count() + File.ReadLines(Output("custom.fraud")).Count();
        Assert.InRange(decided, 1, 5000 * 3);
    }

    [Fact]
    public async Task A_full_disk_stops_the_demo_with_one_error_line_and_exit_code_1_instead_of_hanging()
    {
        File.CreateSymbolicLink(Output("streaming.transactions.legit"), "/dev/full");

        var (exitCode, _, error) = await CliRunner.RunAsync(["demo", "--count", "1000000", "--rate", "max", "--out", _directory, "--no-dashboard"]);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"vigil: error: cannot write {Output("streaming.transactions.legit")}: No space left on device", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Ctrl_C_stops_the_process_cleanly_after_writing_every_record_in_flight()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Vigil.Cli.dll");
        // A child started from a non-interactive shell inherits an ignored SIGINT; env restores the default.
        var start = new ProcessStartInfo("env", ["--default-signal=INT", "dotnet", cli, "demo", "--rate", "max", "--out", _directory, "--no-dashboard"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var legit = Output("streaming.transactions.legit");
        for (var i = 0; i < 300 && !(File.Exists(legit) && new FileInfo(legit).Length > 1_000_000); i++)
        {
            await Task.Delay(100);
        }

        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, process.ExitCode);
        var summary = await output;
        Assert.Contains("stopped by signal", summary, StringComparison.Ordinal);
        var generated = long.Parse(
            System.Text.RegularExpressions.Regex.Match(summary, @"([\d,]+) generated").Groups[1].Value.Replace(",", "", StringComparison.Ordinal),
            System.Globalization.CultureInfo.InvariantCulture);
        var written = File.ReadLines(legit).LongCount() + File.ReadLines(Output("streaming.transactions.fraud")).LongCount();
        Assert.True(generated > 0);
        Assert.Equal(generated, written);
        Assert.All(File.ReadLines(legit).TakeLast(100), line => JsonDocument.Parse(line));
    }
}
