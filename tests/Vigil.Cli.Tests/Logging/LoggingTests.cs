using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vigil.Cli.Logging;
using Vigil.Cli.Tests.Commands;

namespace Vigil.Cli.Tests.Logging;

public sealed partial class LoggingTests
{
    [Fact]
    public void A_json_entry_carries_time_level_category_event_message_its_named_values_and_the_exception()
    {
        var lines = new List<string>();
        using var logs = new LogSettings(LogFormat.Json, LogSettings.Default.Levels).Factory(lines.Add);
        var log = logs.CreateLogger(LogCategories.Kafka);

        Assigned(log, "queueing.transactions [0,1]", 2);
        Failed(log, new InvalidOperationException("broken \"quoted\""), "it failed");

        var entry = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("Information", entry.GetProperty("level").GetString());
        Assert.Equal("Vigil.Kafka", entry.GetProperty("category").GetString());
        Assert.Equal("Assigned", entry.GetProperty("event").GetString());
        Assert.Equal("kafka: assigned queueing.transactions [0,1] (2 partitions)", entry.GetProperty("message").GetString());
        Assert.Equal("queueing.transactions [0,1]", entry.GetProperty("Partitions").GetString());
        Assert.Equal(2, entry.GetProperty("Count").GetInt32());
        Assert.True(DateTimeOffset.UtcNow - entry.GetProperty("time").GetDateTimeOffset() < TimeSpan.FromMinutes(1));
        var failed = JsonDocument.Parse(lines[1]).RootElement;
        Assert.Equal("Error", failed.GetProperty("level").GetString());
        Assert.Equal("System.InvalidOperationException", failed.GetProperty("exception").GetProperty("type").GetString());
        Assert.Equal("broken \"quoted\"", failed.GetProperty("exception").GetProperty("message").GetString());
        Assert.Equal(2, lines.Count);
    }

    [Fact]
    public void Text_entries_are_the_message_with_the_exception_s_and_levels_go_by_category()
    {
        var lines = new List<string>();
        var levels = new Dictionary<string, LogLevel> { ["Default"] = LogLevel.Information, ["Vigil.Kafka"] = LogLevel.Warning };
        using var logs = new LogSettings(LogFormat.Text, levels).Factory(lines.Add);

        var kafka = logs.CreateLogger(LogCategories.Kafka);
        var rules = logs.CreateLogger(LogCategories.Rules);
        var alerts = logs.CreateLogger(LogCategories.Alerts);

        Assigned(kafka, "t [0]", 1);
        Line(kafka, LogLevel.Warning, "kafka: slow");
        Line(rules, LogLevel.Information, "rules: swapped");
        Line(rules, LogLevel.Debug, "rules: detail");
        Failed(alerts, new IOException("refused"), "alerts: not delivered");

        Assert.Equal(["kafka: slow", "rules: swapped", "alerts: not delivered: refused"], lines);
    }

    [Fact]
    public async Task A_detector_logs_json_lines_by_category_and_its_levels_follow_the_flag()
    {
        using var cluster = MockClusters.WithVigilTopics(partitions: 1);

        var (exitCode, output, error) = await RunUntilReadyAsync(["detect", "--kafka", cluster.BootstrapServers, "--log-format", "json"]);
        var (quietExit, _, quietError) = await RunUntilReadyAsync(
            ["detect", "--kafka", cluster.BootstrapServers, "--log-format", "json", "--log-level", "Warning,Vigil.Rules=Debug"]);

        Assert.True(exitCode == 0, error + output);
        var assigned = error.Split('\n').Where(l => l.Contains("kafka: assigned", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(assigned);
        Assert.All(assigned, line =>
        {
            var entry = JsonDocument.Parse(line).RootElement;
            Assert.Equal("Vigil.Kafka", entry.GetProperty("category").GetString());
            Assert.Equal("Assigned", entry.GetProperty("event").GetString());
        });
        Assert.Equal(0, quietExit);
        Assert.DoesNotContain("kafka: assigned", quietError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--log-level", "loud" }, "vigil: invalid --log-level 'loud': expected a level: trace, debug, information, warning, error, critical or none")]
    [InlineData(new[] { "--log-level", "=Debug" }, "vigil: invalid --log-level '=Debug': expected LEVEL or CATEGORY=LEVEL,… such as Warning,Vigil.Kafka=Debug")]
    [InlineData(new[] { "--log-level", "Vigil.Kafka=7" }, "vigil: invalid --log-level '7': expected a level: trace, debug, information, warning, error, critical or none")]
    [InlineData(new[] { "--log-format", "xml" }, "vigil: invalid --log-format 'xml': expected text or json")]
    public async Task A_bad_logging_flag_is_one_line_and_exit_2(string[] flags, string expected)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["detect", "--kafka", "127.0.0.1:1", .. flags]);

        Assert.Equal(2, exitCode);
        Assert.Equal(expected, error.TrimEnd());
    }

    [Fact]
    public async Task Levels_by_category_come_from_the_configuration_as_asp_net_reads_them()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(
            ["detect", "--kafka", "127.0.0.1:1"], new System.Collections.Hashtable { ["VIGIL_Logging__LogLevel__Vigil.Kafka"] = "noisy" });

        Assert.Equal(2, exitCode);
        Assert.Equal("vigil: invalid VIGIL_LOGGING__LOGLEVEL__VIGIL.KAFKA 'noisy': expected a level: trace, debug, information, warning, error, critical or none", error.TrimEnd());
    }

    /// <summary>Runs a Kafka service with an operations port until <c>/readyz</c> says it owns partitions (at most 30 s), then stops it.</summary>
    private static async Task<(int ExitCode, string Out, string Error)> RunUntilReadyAsync(string[] args)
    {
        var port = Vigil.Testing.LoopbackPorts.Free();
        using var stop = new CancellationTokenSource();
        var run = CliRunner.RunAsync([.. args, "--metrics-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], stop: stop.Token);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < 300 && !run.IsCompleted; i++)
        {
            try
            {
                using var ready = await client.GetAsync(new Uri("readyz", UriKind.Relative));
                if (ready.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        await stop.CancelAsync();
        return await run;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "kafka: assigned {Partitions} ({Count} partitions)")]
    private static partial void Assigned(ILogger logger, string partitions, int count);

    [LoggerMessage(Message = "{Text}")]
    private static partial void Line(ILogger logger, LogLevel level, string text);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Text}")]
    private static partial void Failed(ILogger logger, Exception exception, string text);
}
