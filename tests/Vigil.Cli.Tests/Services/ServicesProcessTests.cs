using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Vigil.Cli.Tests.Services;

/// <summary>vigil kafka mock, generate and detect as separate processes, the way users run them.</summary>
public sealed partial class ServicesProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [GeneratedRegex(@"at (127\.0\.0\.1:\d+)")]
    private static partial Regex Address();

    private static Process Start(string[] args, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Vigil.Cli.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    private static async Task<int> SigtermAsync(Process process)
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        await process.WaitForExitAsync().WaitAsync(Timeout);
        return process.ExitCode;
    }

    [Fact]
    public async Task Generate_and_detect_run_as_services_on_the_mock_cluster_and_sigterm_commits_and_exits_0()
    {
        using var mock = Start(["kafka", "mock", "--partitions", "2"]);
        string? address = null;
        for (var i = 0; i < 100 && address is null; i++)
        {
            var line = await mock.StandardOutput.ReadLineAsync().WaitAsync(Timeout);
            address = line is null ? null : Address().Match(line) is { Success: true } match ? match.Groups[1].Value : null;
        }

        Assert.NotNull(address);
        var environment = new Dictionary<string, string> { ["KAFKA_BROKER_URL"] = address, ["TRANSACTIONS_PER_SECOND"] = "max" };
        try
        {
            using var generate = Start(["generate", "--count", "5000"], environment);
            var generated = await generate.StandardOutput.ReadToEndAsync().WaitAsync(Timeout);
            await generate.WaitForExitAsync().WaitAsync(Timeout);
            Assert.Equal(0, generate.ExitCode);
            Assert.Contains("5,000 written, 5,000 acknowledged by the brokers", generated, StringComparison.Ordinal);
            Assert.Contains("5,000 written to queueing.labels", generated, StringComparison.Ordinal);

            using var detect = Start(["detect"], environment);
            var log = detect.StandardError.ReadToEndAsync();
            var printed = new System.Text.StringBuilder();

            // The detector prints a status line every 5 s: stop it once one says everything was decided.
            using (var cancel = new CancellationTokenSource(Timeout))
            {
                while (await detect.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
                {
                    printed.AppendLine(line);
                    if (line.Contains("5,000 processed", StringComparison.Ordinal))
                    {
                        break;
                    }
                }
            }

            var rest = detect.StandardOutput.ReadToEndAsync();
            Assert.Equal(0, await SigtermAsync(detect));
            var summary = printed + await rest;
            Assert.Contains("Vigil detect finished", summary, StringComparison.Ordinal);
            Assert.Contains("5,000 consumed, 5,000 processed", summary, StringComparison.Ordinal);
            Assert.Contains("revoked queueing.transactions [0,1] after committing what was done", await log, StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(0, await SigtermAsync(mock));
        }
    }

    [Fact]
    public async Task A_detector_killed_with_sigkill_is_replaced_within_seconds_by_a_new_instance()
    {
        using var cluster = new Vigil.Kafka.Mock.MockCluster();
        var topics = new Vigil.Runtime.Pipeline.TopicOptions();
        foreach (var topic in topics.All)
        {
            cluster.CreateTopic(topic, partitions: 2);
        }

        var environment = new Dictionary<string, string> { ["KAFKA_BROKER_URL"] = cluster.BootstrapServers };
        using var first = Start(["detect"], environment);
        Assert.True(await WaitForLineAsync(first.StandardError, "kafka: assigned", Timeout), "the first detector was never assigned its partitions");
        first.Kill(); // SIGKILL: no leaving the group, no commit
        var killed = Stopwatch.StartNew();

        using var second = Start(["detect"], environment);
        var assigned = await WaitForLineAsync(second.StandardError, "kafka: assigned queueing.transactions [0,1]", TimeSpan.FromSeconds(40));
        var waited = killed.Elapsed;
        second.Kill();

        // The group notices the dead member after its 10 s session timeout (librdkafka's default is 45 s).
        Assert.True(assigned, $"the second detector was not assigned within 40 s of the kill");
        Assert.InRange(waited, TimeSpan.Zero, TimeSpan.FromSeconds(25));
    }

    private static async Task<bool> WaitForLineAsync(StreamReader reader, string text, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await reader.ReadLineAsync(cancel.Token) is { } line)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }
}
