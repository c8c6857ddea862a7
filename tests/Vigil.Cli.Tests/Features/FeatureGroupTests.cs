using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Vigil.Cli.Tests.Commands;
using Vigil.Kafka.Mock;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Tests.Features;

/// <summary>
/// Feature services in one consumer group (<c>vigil features --kafka --group</c>), as separate processes on a mock
/// cluster of 3 brokers with 8 partitions per topic: they share the tasks, and a task moves with its state.
/// </summary>
public sealed partial class FeatureGroupTests() : TempDirectoryTest("vigil-feature-group-")
{
    private const int Partitions = 8;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static readonly string[] Simulation = ["--customers", "150", "--terminals", "300", "--days", "12", "--seed", "4"];

    private static readonly TopicOptions Topics = new();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Members_of_a_group_share_the_tasks_and_compute_what_the_batch_computation_does(int members)
    {
        using var cluster = MockClusters.WithVigilTopics(Partitions, brokers: 3);
        var batch = await FeaturedRecords.BatchAsync(Directory, Simulation);
        // On a loaded machine a member can be off the cores for over a second while the generator runs at full speed; with
        // the default idle timeout (1 s) its partitions would count as silent and what they bring after as late, computed
        // as of the newest time: windows one transaction off the batch's. Waiting longer keeps the comparison exact.
        var processes = Enumerable.Range(0, members).Select(i => CliProcesses.Start([.. Member(cluster, $"m{i}"), "--idle-timeout", "10s"])).ToList();
        try
        {
            // Every member owns tasks before the transactions come.
            foreach (var process in processes)
            {
                Assert.True(await CliProcesses.WaitForLineAsync(process.StandardError, "group: took tasks", Timeout), "a member took no task");
            }

            var (generated, _, generateError) = await CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "max", .. Simulation]);
            Assert.True(generated == 0, generateError);
            var featured = await ReadUntilAsync(cluster, batch.Rows.Count);
            var outputs = await StopAllAsync(processes);

            Assert.Equal(batch.Rows.Count, featured.Count); // none missing, none twice
            Assert.Equal(batch.Rows.Count, featured.Select(FeaturedRecords.Id).Distinct().Count());
            Assert.DoesNotContain(featured, FeaturedRecords.IsReplayed);
            Assert.All(outputs, o => Assert.True(Late(o) == 0, $"a member computed records late (stalled past the idle timeout), so windows may differ from the batch's: {o}"));
            batch.AssertSame(featured);
            var computed = outputs.Select(Computed).ToList();
            Assert.All(computed, c => Assert.True(c > 0, "a member computed nothing"));
            Assert.Equal(batch.Rows.Count, computed.Sum());
        }
        finally
        {
            KillAll(processes);
        }
    }

    [Fact]
    public async Task A_member_killed_with_sigkill_mid_stream_has_its_tasks_restored_by_another_with_nothing_lost_and_nothing_counted_twice()
    {
        using var cluster = MockClusters.WithVigilTopics(Partitions, brokers: 3);
        var batch = await FeaturedRecords.BatchAsync(Directory, Simulation);
        // The dead member's partitions are silent until its session expires (6 s) and the survivor restores its tasks: with
        // the default idle timeout (1 s) the survivor would count that silence as having nothing to send and compute what
        // the restored tasks bring as late, as of the newest time. Waiting longer than the takeover keeps windows exact.
        using var doomed = CliProcesses.Start([.. Member(cluster, "doomed"), "--idle-timeout", "15s"]);
        using var survivor = CliProcesses.Start([.. Member(cluster, "survivor"), "--idle-timeout", "15s"]);
        try
        {
            Assert.True(await CliProcesses.WaitForLineAsync(doomed.StandardError, "group: took tasks", Timeout));
            Assert.True(await CliProcesses.WaitForLineAsync(survivor.StandardError, "group: took tasks", Timeout));
            var errors = survivor.StandardError.ReadToEndAsync();

            // Transactions come for about 15 s; the doomed member dies 6 s in, no last snapshot, no flush.
            var generating = CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "200", .. Simulation]);
            await Task.Delay(TimeSpan.FromSeconds(6));
            doomed.Kill();
            var beforeTakeover = MockClusterReader.Count(cluster, Topics.Featured);
            var (generated, _, generateError) = await generating;
            Assert.True(generated == 0, generateError);

            var featured = await ReadUntilAsync(cluster, batch.Rows.Count);
            var output = survivor.StandardOutput.ReadToEndAsync();
            Assert.Equal(0, await CliProcesses.SigtermAsync(survivor, Timeout));
            var (summary, log) = (await output, await errors);

            Assert.True(beforeTakeover < batch.Rows.Count, "the member was killed after everything was computed");
            Assert.Contains("state: restored features/customers-", log, StringComparison.Ordinal);
            Assert.Contains("state: restored features/terminals-", log, StringComparison.Ordinal);
            Assert.True(Late(summary) == 0, $"the survivor computed records late (stalled past the idle timeout), so windows may differ from the batch's: {summary}");

            // Nothing lost; what the dead member wrote after its snapshots is written again, the same, marked and counted;
            // what it sent to the terminals' tasks is not sent twice, so every window is exact.
            Assert.Equal(batch.Rows.Count, featured.Select(FeaturedRecords.Id).Distinct().Count());
            var duplicated = FeaturedRecords.AssertReplaysMarked(featured);
            if (duplicated > 0)
            {
                Assert.Contains($"{duplicated:N0} featured records written again after a takeover", summary, StringComparison.Ordinal);
            }

            batch.AssertSame(featured);
        }
        finally
        {
            KillAll([doomed, survivor]);
        }
    }

    [Fact]
    public async Task A_member_that_joins_and_leaves_mid_stream_takes_tasks_with_their_state_and_gives_them_back_with_nothing_computed_twice()
    {
        using var cluster = MockClusters.WithVigilTopics(Partitions, brokers: 3);
        var batch = await FeaturedRecords.BatchAsync(Directory, Simulation);
        using var first = CliProcesses.Start(Member(cluster, "first"));
        try
        {
            Assert.True(await CliProcesses.WaitForLineAsync(first.StandardError, "group: took tasks", Timeout));

            // Transactions come for about 30 s; a second member joins while they do, then leaves.
            var generating = CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "100", .. Simulation]);
            await Task.Delay(TimeSpan.FromSeconds(2));
            using var joining = CliProcesses.Start(Member(cluster, "second"));
            Assert.True(await CliProcesses.WaitForLineAsync(joining.StandardError, "group: took tasks", Timeout), "the second member took no task");
            var joinedLog = joining.StandardError.ReadToEndAsync();
            // It leaves once it has reported computing something (its restore and first fetches can take seconds on a loaded machine).
            Assert.True(await ReportedComputingAsync(cluster, "features/features/second"), "the second member reported computing nothing while it owned tasks");
            var joinedOutput = joining.StandardOutput.ReadToEndAsync();
            Assert.Equal(0, await CliProcesses.SigtermAsync(joining, Timeout));
            var (generated, _, generateError) = await generating;
            Assert.True(generated == 0, generateError);
            var featured = await ReadUntilAsync(cluster, batch.Rows.Count);
            var firstOutput = (await StopAllAsync([first])).Single();

            Assert.True(MockClusterReader.Count(cluster, Topics.Transactions) == batch.Rows.Count);
            Assert.Contains("state: restored features/customers-", await joinedLog, StringComparison.Ordinal); // where the first member left them
            Assert.Contains("group: handed tasks", await joinedLog, StringComparison.Ordinal);
            Assert.Equal(batch.Rows.Count, featured.Count); // handed over with a snapshot, nothing is computed twice
            Assert.Equal(batch.Rows.Count, featured.Select(FeaturedRecords.Id).Distinct().Count());
            Assert.DoesNotContain(featured, FeaturedRecords.IsReplayed);
            batch.AssertSame(featured);
            Assert.True(Computed(await joinedOutput) > 0, "the second member computed nothing while it owned tasks");
            Assert.Equal(batch.Rows.Count, Computed(firstOutput) + Computed(await joinedOutput));
        }
        finally
        {
            KillAll([first]);
        }
    }

    [Fact]
    public async Task A_broker_taken_down_and_brought_back_while_the_group_computes_loses_nothing_and_counts_nothing_twice()
    {
        using var cluster = MockClusters.WithVigilTopics(Partitions, brokers: 3);
        var batch = await FeaturedRecords.BatchAsync(Directory, Simulation);
        // A partition whose leader is down is silent: members wait for it (rather than count its records late) as long as the outage.
        List<Process> processes = [CliProcesses.Start([.. Member(cluster, "a"), "--idle-timeout", "10s"]), CliProcesses.Start([.. Member(cluster, "b"), "--idle-timeout", "10s"])];
        try
        {
            foreach (var process in processes)
            {
                Assert.True(await CliProcesses.WaitForLineAsync(process.StandardError, "group: took tasks", Timeout));
            }

            var generating = CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "300", .. Simulation]);
            await Task.Delay(TimeSpan.FromSeconds(3));
            cluster.SetBrokerDown(2);
            await Task.Delay(TimeSpan.FromSeconds(4));
            cluster.SetBrokerUp(2);
            var (generated, _, generateError) = await generating;
            Assert.True(generated == 0, generateError);
            var featured = await ReadUntilAsync(cluster, batch.Rows.Count);
            await StopAllAsync(processes);

            // Nothing is lost and every window is exact. When the broker down is the group's coordinator, the members
            // may lose their session (6 s) and their tasks restart from their snapshots: what is then written again is
            // identical, and marked unless the member that lost the task wrote it after its successor had looked (its
            // outputs held by the outage; no fencing without transactions: docs/FEATURES.md).
            Assert.Equal(batch.Rows.Count, featured.Select(FeaturedRecords.Id).Distinct().Count());
            var (duplicated, _) = FeaturedRecords.AssertReplaysIdenticalMarkedAtMostOnce(featured);
            Assert.Equal(batch.Rows.Count + duplicated, featured.Count);
            batch.AssertSame(featured);
        }
        finally
        {
            KillAll(processes);
        }
    }

    [Fact]
    public async Task Records_on_the_repartition_topic_that_no_member_wrote_are_passed_over_and_counted_and_every_feature_is_still_the_batch_s()
    {
        using var cluster = MockClusters.WithVigilTopics(Partitions, brokers: 3);
        var batch = await FeaturedRecords.BatchAsync(Directory, Simulation);
        var process = CliProcesses.Start(Member(cluster, "m0"));
        try
        {
            Assert.True(await CliProcesses.WaitForLineAsync(process.StandardError, "group: took tasks", Timeout), "the member took no task");
            const byte transaction = 1, watermark = 3; // the first byte of the records customer tasks write (Repartition.cs)
            byte[][] damaged =
            [
                [], // empty
                [transaction], // a kind and nothing else
                [9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // a kind no writer sends
                [watermark, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0], // a watermark from a task there is not
                [transaction, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9], // a transaction cut short
                "{\"transaction_id\": 1, \"tx_amount\": 10}"u8.ToArray(), // JSON, as a careless producer writes it
            ];
            using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
            {
                for (var partition = 0; partition < Partitions; partition++)
                {
                    foreach (var value in damaged)
                    {
                        await producer.ProduceAsync(new TopicPartition(Topics.Repartition, partition), new Message<byte[], byte[]> { Key = [], Value = value });
                    }
                }
            }

            var (generated, _, generateError) = await CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "max", .. Simulation]);
            Assert.True(generated == 0, generateError);
            var featured = await ReadUntilAsync(cluster, batch.Rows.Count);
            var output = (await StopAllAsync([process])).Single();

            Assert.Equal(batch.Rows.Count, featured.Count);
            batch.AssertSame(featured);
            Assert.Matches($@"refused\s+{damaged.Length * Partitions} records on {Regex.Escape(Topics.Repartition)} that no member wrote", output);
        }
        finally
        {
            KillAll([process]);
        }
    }

    [Fact]
    public async Task A_transaction_too_large_for_the_repartition_topic_goes_to_the_dead_letters_with_the_reason_and_the_others_are_computed()
    {
        using var cluster = MockClusters.WithVigilTopics(Partitions, brokers: 3);
        var batch = await FeaturedRecords.BatchAsync(Directory, Simulation);
        var process = CliProcesses.Start(Member(cluster, "m0"));
        try
        {
            Assert.True(await CliProcesses.WaitForLineAsync(process.StandardError, "group: took tasks", Timeout), "the member took no task");

            // Under the decoder's 1 MiB and the brokers' 1,000,000 bytes as it is, over them once the customer task adds
            // its values; a customer and a terminal of its own, so no window of the simulation counts it.
            var huge = Encoding.UTF8.GetBytes(
                $"{{\"transaction_id\": 99999999, \"timestamp\": \"2018-04-01T00:00:00Z\", \"customer_id\": 999999, \"terminal_id\": 999999, \"amount\": 5, \"note\": \"{new string('x', 999_800)}\"}}");
            using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
            {
                await producer.ProduceAsync(new TopicPartition(Topics.Transactions, 0), new Message<byte[], byte[]> { Key = "999999"u8.ToArray(), Value = huge });
            }

            var (generated, _, generateError) = await CliRunner.RunAsync(["generate", "--kafka", cluster.BootstrapServers, "--rate", "max", .. Simulation]);
            Assert.True(generated == 0, generateError);
            var featured = await ReadUntilAsync(cluster, batch.Rows.Count);
            await StopAllAsync([process]);

            Assert.Equal(batch.Rows.Count, featured.Count);
            batch.AssertSame(featured);
            var dead = Assert.Single(MockClusterReader.ReadAll(cluster, Topics.DeadLetter));
            var reason = Encoding.UTF8.GetString(dead.Message.Headers.GetLastBytes(DeadLetterHeaders.ErrorReason));
            Assert.True(reason.StartsWith($"the brokers refused the record for {Topics.Repartition}: ", StringComparison.Ordinal), reason);
            Assert.True(dead.Message.Value.Length < huge.Length, "the dead letter is cut");
            Assert.DoesNotContain(MockClusterReader.ReadAll(cluster, Topics.Repartition), r => r.Message.Headers?.TryGetLastBytes(DeadLetterHeaders.ErrorReason, out _) == true);
        }
        finally
        {
            KillAll([process]);
        }
    }

    [Theory]
    [InlineData("--checkpoint", "state.bin", "--checkpoint FILE keeps one service's state on one machine")]
    [InlineData("--join-identities", "true", "--join-identities runs in the single feature service only")]
    public async Task A_group_member_refuses_what_only_a_single_service_does(string flag, string value, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["features", "--kafka", "127.0.0.1:9", "--group", "g", flag, value]);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repartition_topic_with_another_partition_count_than_the_transactions_is_one_clear_error()
    {
        using var cluster = new MockCluster();
        foreach (var topic in Topics.All)
        {
            cluster.CreateTopic(topic, topic == Topics.Repartition ? 3 : 2);
        }

        var (exitCode, _, error) = await CliRunner.RunAsync(["features", "--kafka", cluster.BootstrapServers, "--group", "g"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("the repartition topic vigil.features.repartition has 3 partitions and queueing.transactions has 2: they must be equal", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_shows_which_tasks_each_member_and_detector_owns_and_a_member_that_left_as_stopped()
    {
        using var cluster = MockClusters.WithVigilTopics(Partitions, brokers: 3);
        List<Process> processes =
        [
            CliProcesses.Start(Member(cluster, "a")),
            CliProcesses.Start(Member(cluster, "b")),
            CliProcesses.Start(["detect", "--kafka", cluster.BootstrapServers, "--input", Topics.Featured, "--instance-id", "d1"]),
        ];
        using var dashboard = CliProcesses.Start(["dashboard", "--kafka", cluster.BootstrapServers, "--port", "0"]);
        try
        {
            var address = await CliProcesses.DashboardAddressAsync(dashboard, Timeout);
            Assert.NotNull(address);
            using var http = new HttpClient { Timeout = Timeout };

            // Both members report; their running tasks are the eight, none owned twice; the detector owns the eight partitions.
            var seen = await InstancesUntilAsync(http, address, shown => Tasks(shown, "features/features/a").Concat(Tasks(shown, "features/features/b")).Order(StringComparer.Ordinal).SequenceEqual(AllTasks)
                && Tasks(shown, "detect/vigil-detector/d1").SequenceEqual(AllTasks));
            Assert.NotEmpty(Tasks(seen, "features/features/a"));
            Assert.NotEmpty(Tasks(seen, "features/features/b"));
            Assert.All(seen.Values, instance => Assert.InRange(instance.GetProperty("silent_s").GetDouble(), 0, 15));
            Assert.All(seen.Values.SelectMany(i => i.GetProperty("tasks").EnumerateArray()), task => Assert.True(task.GetProperty("lag").GetInt64() >= 0));

            // a leaves: its last report says stopped, with no tasks; b owns all eight.
            Assert.Equal(0, await CliProcesses.SigtermAsync(processes[0], Timeout));
            seen = await InstancesUntilAsync(http, address, shown => shown["features/features/a"].GetProperty("stopped").GetBoolean()
                && Tasks(shown, "features/features/b").SequenceEqual(AllTasks));
            Assert.Empty(seen["features/features/a"].GetProperty("tasks").EnumerateArray());
        }
        finally
        {
            KillAll([.. processes, dashboard]);
        }
    }

    private static readonly string[] AllTasks = [.. Enumerable.Range(0, Partitions).Select(p => p.ToString(CultureInfo.InvariantCulture))];

    /// <summary>Asks the dashboard's status every half second until the instances it shows, by key, satisfy <paramref name="done"/>; fails after the timeout.</summary>
    private static async Task<Dictionary<string, JsonElement>> InstancesUntilAsync(HttpClient http, Uri dashboard, Func<Dictionary<string, JsonElement>, bool> done)
    {
        var shown = new Dictionary<string, JsonElement>();
        for (var deadline = DateTime.UtcNow + Timeout; DateTime.UtcNow < deadline; await Task.Delay(500))
        {
            using var status = JsonDocument.Parse(await http.GetStringAsync(new Uri(dashboard, "api/status")));
            shown = status.RootElement.TryGetProperty("instances", out var instances)
                ? instances.EnumerateArray().ToDictionary(i => $"{i.GetProperty("service").GetString()}/{i.GetProperty("group").GetString()}/{i.GetProperty("instance").GetString()}", i => i.Clone())
                : [];
            if (done(shown))
            {
                return shown;
            }
        }

        Assert.Fail($"the dashboard never showed what was expected; it showed {string.Join("; ", shown.Select(i => $"{i.Key}: {i.Value}"))}");
        return shown;
    }

    /// <summary>The running tasks an instance reports, in order; none when it is not shown.</summary>
    private static IEnumerable<string> Tasks(Dictionary<string, JsonElement> shown, string key) =>
        shown.TryGetValue(key, out var instance)
            ? instance.GetProperty("tasks").EnumerateArray().Where(t => t.GetProperty("phase").GetString() == "running").Select(t => t.GetProperty("task").GetString()!).Order(StringComparer.Ordinal)
            : [];

    private static string[] Member(MockCluster cluster, string name) =>
        ["features", "--kafka", cluster.BootstrapServers, "--feature-set", "handbook", "--group", "features", "--instance-id", name];

    /// <summary>Reads the featured topic until it holds every transaction (a minute at most).</summary>
    private static async Task<List<ConsumeResult<byte[], byte[]>>> ReadUntilAsync(MockCluster cluster, int transactions)
    {
        var featured = new List<ConsumeResult<byte[], byte[]>>();
        for (var i = 0; i < 60 && featured.Select(FeaturedRecords.Id).Distinct().Count() < transactions; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            featured = MockClusterReader.ReadAll(cluster, Topics.Featured);
        }

        return featured;
    }

    /// <summary>Reads the status topic every second until the instance under <paramref name="key"/> reports records computed (the timeout at most).</summary>
    private static async Task<bool> ReportedComputingAsync(MockCluster cluster, string key)
    {
        for (var deadline = DateTime.UtcNow + Timeout; DateTime.UtcNow < deadline; await Task.Delay(TimeSpan.FromSeconds(1)))
        {
            foreach (var record in MockClusterReader.ReadAll(cluster, Topics.Status))
            {
                if (InstanceStatusJson.TryRead(record.Message.Value, out var status, out _) && status!.Key == key && status.Processed > 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Stops every member with SIGTERM (each hands its tasks over with a snapshot); returns what each printed.</summary>
    private static async Task<List<string>> StopAllAsync(List<Process> processes)
    {
        var outputs = processes.Select(p => p.StandardOutput.ReadToEndAsync()).ToList();
        foreach (var process in processes)
        {
            Assert.Equal(0, await CliProcesses.SigtermAsync(process, Timeout));
        }

        return [.. await Task.WhenAll(outputs)];
    }

    private static void KillAll(IEnumerable<Process> processes)
    {
        foreach (var process in processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            process.Dispose();
        }
    }

    /// <summary>The transactions a member says it computed, from its summary.</summary>
    private static long Computed(string output) =>
        long.Parse(ComputedLine().Match(output).Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    private static long Late(string output) =>
        long.Parse(LateCount().Match(output).Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"computed\s+([\d,]+) transactions with features written")]
    private static partial Regex ComputedLine();

    [GeneratedRegex(@"transactions with features written to \S+ · ([\d,]+) late")]
    private static partial Regex LateCount();
}
