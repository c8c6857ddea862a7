using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Vigil.Cli.Tests.Commands;
using Vigil.Runtime.Pipeline;

namespace Vigil.Cli.Tests.Replay;

public sealed class ReplayCommandTests() : TempDirectoryTest("vigil-replay-cli-")
{
    private static readonly string SharedData = Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data");
    [Fact]
    public async Task The_ulb_sample_replays_through_detection_with_quality_against_its_class_column()
    {
        var report = Path.Combine(Directory, "ulb.json");

        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["replay", Path.Combine(SharedData, "ulb/creditcard_first_9528_rows.csv.gz"), "--rate", "max", "--no-dashboard", "--label-delay", "0", "--report", report]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("Vigil replay finished", output, StringComparison.Ordinal);
        Assert.Contains("ULB credit-card dataset creditcard_first_9528_rows.csv.gz (9,528 rows)", output, StringComparison.Ordinal);
        Assert.Contains("columns: timestamp=Time, amount=Amount, fraud=Class", output, StringComparison.Ordinal);
        Assert.Contains("9,528 read, 9,528 processed", output, StringComparison.Ordinal);
        Assert.Contains("(end of creditcard_first_9528_rows.csv.gz)", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.Equal(9_528, json.RootElement.GetProperty("labelled").GetInt64());
        var matrix = json.RootElement.GetProperty("confusion_matrix");
        Assert.Equal(38, matrix.GetProperty("true_positives").GetInt64() + matrix.GetProperty("false_negatives").GetInt64());
    }

    [Fact]
    public async Task Bad_rows_go_to_the_dead_letters_with_file_and_line_and_the_summary_counts_them()
    {
        var path = Write("tx.csv", "transaction_id,timestamp,amount\n1,2018-04-01T00:00:01Z,5\n2,2018-04-01T00:00:02Z,oops\n3,2018-04-01T00:00:03Z\n4,2018-04-01T00:00:04Z,950\n");

        var (exitCode, output, error) = await CliRunner.RunAsync(["replay", path, "--rate", "max", "--no-dashboard", "--out", Directory]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("4 records read (2 transactions, 2 rows that are not), 4 processed", output, StringComparison.Ordinal);
        Assert.Contains("dead letters  2 (2 of them rows the source could not read)", output, StringComparison.Ordinal);
        Assert.Contains("tx.csv line 3: amount 'oops' is not a number", output, StringComparison.Ordinal);
        var deadLetters = File.ReadAllLines(Path.Combine(Directory, "deadletter.transactions.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("headers")).ToList();
        Assert.Equal(["3", "4"], deadLetters.Select(h => h.GetProperty("vigil.source.line").GetString()).Order());
        Assert.All(deadLetters, h => Assert.Equal("tx.csv", h.GetProperty("vigil.source.file").GetString()));
        Assert.Single(File.ReadAllLines(Path.Combine(Directory, "streaming.transactions.fraud.jsonl")));
    }

    [Fact]
    public async Task A_file_the_simulator_wrote_is_decided_by_the_simulators_amount_bound_and_its_first_scenario_is_caught()
    {
        var file = Path.Combine(Directory, "simulated.csv");
        Assert.Equal(0, (await CliRunner.RunAsync(["generate", "--out", file, "--customers", "300", "--terminals", "600", "--days", "20", "--seed", "8"])).ExitCode);
        var report = Path.Combine(Directory, "quality.json");

        var (exitCode, output, error) = await CliRunner.RunAsync(["replay", file, "--rate", "max", "--no-dashboard", "--report", report]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("rule amount >= 220", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var first = json.RootElement.GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("scenario").GetInt32() == 1);
        Assert.True(first.GetProperty("frauds").GetInt64() > 0);
        Assert.Equal(first.GetProperty("frauds").GetInt64(), first.GetProperty("caught").GetInt64());
    }

    [Theory]
    [InlineData(new[] { "replay" }, "Required argument missing for command: 'replay' (see 'vigil replay --help')")]
    [InlineData(new[] { "replay", "/nonexistent/data.csv" }, "/nonexistent/data.csv not found")]
    [InlineData(new[] { "replay", "x", "--format", "parquet" }, "invalid --format 'parquet': expected one of auto, vigil, handbook, ulb, ieee")]
    [InlineData(new[] { "replay", "x", "--columns", "amount" }, "invalid --columns 'amount': expected FIELD=COLUMN,… such as amount=TransactionAmt,timestamp=TransactionDT")]
    public async Task Wrong_replay_requests_are_one_line_and_exit_code_2(string[] args, string expected)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Equal("vigil: " + expected, error.Trim());
    }

    [Fact]
    public async Task Replayed_into_kafka_transactions_labels_identities_and_bad_rows_land_on_their_topics()
    {
        using var cluster = MockClusters.WithVigilTopics();
        var topics = new TopicOptions();

        var transactions = Write("train_transaction.csv", """
            TransactionID,isFraud,TransactionDT,TransactionAmt,card1,P_emaildomain
            1,0,100,10.0,11,gmail.com
            2,1,160,99.5,12,
            3,0,200,-1,13,yahoo.com
            4,0,260,12.25,11,gmail.com
            """);
        var identities = Write("train_identity.csv", "TransactionID,DeviceType\n2,mobile\n4,desktop\n9,mobile\n");

        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["replay", transactions, "--identities", identities, "--kafka", cluster.BootstrapServers, "--label-delay", "1m"]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("3 written, 3 acknowledged by the brokers", output, StringComparison.Ordinal);
        Assert.Contains("2 rows the source could not read", output, StringComparison.Ordinal);
        var written = MockClusterReader.Read(cluster, topics.Transactions, 3);
        Assert.Equal(["1", "2", "4"], written.Select(r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("transaction_id").GetRawText()).Order());
        Assert.Equal("11", Encoding.UTF8.GetString(written.First(r => r.Message.Value.AsSpan().IndexOf("\"transaction_id\":1,"u8) >= 0).Message.Key));
        var labels = MockClusterReader.Read(cluster, topics.Labels, 3);
        Assert.Equal(1, labels.Count(r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("fraud").GetInt32() == 1));
        var joined = MockClusterReader.Read(cluster, topics.Identities, 2);
        Assert.Equal(["desktop", "mobile"], joined.Select(r => JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("DeviceType").GetString()).Order());
        var dead = MockClusterReader.Read(cluster, topics.DeadLetter, 2);
        Assert.Equal(["amount_negative", "no_transaction"], dead.Select(r => Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes("vigil.error.code"))).Order());
    }

    [Fact]
    public async Task Replayed_into_kafka_a_stray_quote_and_a_row_too_large_for_the_brokers_cost_only_their_own_rows()
    {
        using var cluster = MockClusters.WithVigilTopics();
        var topics = new TopicOptions();

        var rows = Enumerable.Range(1, 1_000).Select(i => $"{i},2018-04-01T00:{i / 60 % 60:00}:{i % 60:00}Z,{i % 7},10").ToList();
        rows[9] = "10,2018-04-01T00:00:10Z,\"7,10"; // a quote opening a field that never closes
        rows[19] = "20,2018-04-01T00:00:20Z,7,10," + new string('9', 1_000_000); // 1 MB: a dead letter larger than the cluster takes
        var path = Write("quotes.csv", "transaction_id,timestamp,customer_id,amount\n" + string.Join('\n', rows) + "\n");

        var (exitCode, output, error) = await CliRunner.RunAsync(["replay", path, "--kafka", cluster.BootstrapServers]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("998 written, 998 acknowledged by the brokers", output, StringComparison.Ordinal);
        Assert.Contains("2 rows the source could not read", output, StringComparison.Ordinal);
        Assert.Equal(998, MockClusterReader.Read(cluster, topics.Transactions, 998).Count);
        var dead = MockClusterReader.Read(cluster, topics.DeadLetter, 2)
            .ToDictionary(r => Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes("vigil.source.line")), r => r);
        Assert.Equal(["11", "21"], dead.Keys.Order());
        Assert.Equal("1000029", Encoding.UTF8.GetString(dead["21"].Message.Headers.GetLastBytes("vigil.original.length")));
        Assert.Equal(64 * 1024, dead["21"].Message.Value.Length);
        Assert.Equal("bad_row", Encoding.UTF8.GetString(dead["21"].Message.Headers.GetLastBytes("vigil.error.code")));
    }
}
