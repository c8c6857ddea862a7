using System.Diagnostics;
using System.Text.RegularExpressions;
using Vigil.Cli.Tests.Commands;

namespace Vigil.Cli.Tests.Services;

/// <summary>vigil kafka mock, generate and detect as separate processes, the way users run them.</summary>
public sealed partial class ServicesProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [GeneratedRegex(@"at (127\.0\.0\.1:\d+)")]
    private static partial Regex Address();

    private static Process Start(string[] args, Dictionary<string, string>? environment = null) => CliProcesses.Start(args, environment);

    private static Task<int> SigtermAsync(Process process) => CliProcesses.SigtermAsync(process, Timeout);

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
            Assert.Contains("5,000 written to queueing.labels, 5,000 acknowledged", generated, StringComparison.Ordinal);

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
        using var cluster = MockClusters.WithVigilTopics();
        var topics = new Vigil.Runtime.Pipeline.TopicOptions();

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

    [Theory]
    [InlineData("generate", "nothing was written")]
    [InlineData("detect", "nothing was read")]
    public async Task Against_a_cluster_that_does_not_answer_duration_is_honoured_with_one_clear_line(string command, string outcome)
    {
        var clock = Stopwatch.StartNew();
        using var process = Start([command, "--kafka", "127.0.0.1:1", "--duration", "2"]);
        var output = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Timeout);

        Assert.Equal(1, process.ExitCode);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20)); // it waited 30 s for the cluster whatever --duration said
        Assert.Contains($"stopped (duration reached) before the Kafka cluster at 127.0.0.1:1 answered; {outcome}", await output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dashboard --port 0")]
    [InlineData("features --group g --state-topic vigil.features.state")]
    [InlineData("features --state-topic vigil.features.state")]
    [InlineData("features")]
    public async Task Against_a_cluster_that_does_not_answer_a_signal_stops_at_once_with_one_clear_line(string command)
    {
        using var process = Start([.. command.Split(' '), "--kafka", "127.0.0.1:1"]);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));

        var stopped = Stopwatch.StartNew();
        var exitCode = await SigtermAsync(process);

        Assert.Equal(1, exitCode);
        Assert.InRange(stopped.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10)); // it waited out librdkafka's 30 s
        Assert.Contains("stopped (signal) before the Kafka cluster at 127.0.0.1:1 answered", await output + await errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_cluster_goes_down_generate_bounds_what_waits_says_so_and_stops_on_one_signal_with_what_was_not_acknowledged()
    {
        using var cluster = MockClusters.WithVigilTopics();

        using var generate = Start(["generate", "--kafka", cluster.BootstrapServers, "--rate", "20000"]);
        var log = generate.StandardError.ReadToEndAsync(); // read, or a full pipe would block the process's writes
        var printed = new System.Text.StringBuilder();
        async Task<bool> SeeAsync(string text, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                while (await generate.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
                {
                    printed.AppendLine(line);
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

        Assert.True(await SeeAsync("acknowledged ·", Timeout), printed.ToString());
        cluster.SetBrokerDown(1);
        Assert.True(await SeeAsync("has acknowledged nothing for", Timeout), printed.ToString());
        var stopped = Stopwatch.StartNew();
        var exitCode = await SigtermAsync(generate);
        var rest = await generate.StandardOutput.ReadToEndAsync();

        Assert.Equal(1, exitCode);
        Assert.InRange(stopped.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30)); // the records in flight were waited for 10 s, not until they time out (5 min)
        Assert.Contains("Vigil generate finished", rest, StringComparison.Ordinal);
        Assert.Matches(@"transactions +[\d,]+ written, [\d,]+ acknowledged by the brokers, [\d,]+ not acknowledged", rest);
        Assert.Contains("may be lost", rest, StringComparison.Ordinal);
        Assert.Contains($"(writing pauses at {Vigil.Kafka.Sources.KafkaRecordWriter.MaxInFlight:N0}", printed.ToString(), StringComparison.Ordinal);

        // librdkafka says "Connect … failed" many times a second, through two callbacks: each line is shown once a
        // window per client (transactions and labels), not hundreds of times.
        var lines = (await log).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines.GroupBy(line => Regex.Replace(line, @"\(repeated .*\)$", string.Empty)), same => Assert.InRange(same.Count(), 1, 4));
    }

    [Fact]
    public async Task The_dashboard_on_kafka_shows_the_latency_the_detectors_measured()
    {
        using var cluster = MockClusters.WithVigilTopics();
        var topics = new Vigil.Runtime.Pipeline.TopicOptions();

        using var dashboard = Start(["dashboard", "--kafka", cluster.BootstrapServers, "--port", "0"]);
        var address = await CliProcesses.DashboardAddressAsync(dashboard, Timeout);
        Assert.NotNull(address);
        try
        {
            using var client = new HttpClient();
            var clients = new Vigil.Kafka.Configuration.KafkaClients(new Vigil.Kafka.Configuration.KafkaOptions { BootstrapServers = cluster.BootstrapServers });
            double p50 = 0;
            for (var round = 0; round < 60 && p50 == 0; round++)
            {
                // Written after the dashboard started: it reads from the topics' ends.
                using (var writer = new Vigil.Kafka.Sources.KafkaRecordWriter(clients, topics.Legit))
                {
                    for (var i = 0; i < 100; i++)
                    {
                        var id = (round * 100) + i;
                        writer.Write("k"u8, System.Text.Encoding.UTF8.GetBytes(
                            $$"""{"transaction_id":{{id}},"amount":5,"vigil":{"fraud":false,"score":0,"latency_us":12000.5,"input":{"partition":0,"offset":{{i}}""" + "}}}"));
                    }

                    await writer.FlushAsync(CancellationToken.None);
                }

                await Task.Delay(500);
                using var status = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(new Uri(address, "api/status")));
                p50 = status.RootElement.GetProperty("latency_p50_ms").GetDouble();
            }

            Assert.InRange(p50, 12, 12 * 1.07); // a histogram bucket's upper edge: within 6.25 %
        }
        finally
        {
            await SigtermAsync(dashboard);
        }
    }

    private static Task<bool> WaitForLineAsync(StreamReader reader, string text, TimeSpan timeout) => CliProcesses.WaitForLineAsync(reader, text, timeout);
}
