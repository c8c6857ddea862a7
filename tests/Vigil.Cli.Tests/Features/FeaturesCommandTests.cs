using System.IO.Compression;
using System.Text.Json;
using Vigil.Cli.Tests.Commands;

namespace Vigil.Cli.Tests.Features;

public sealed class FeaturesCommandTests() : TempDirectoryTest("vigil-features-cli-")
{
    [Fact]
    public async Task A_simulated_dataset_gets_its_rows_back_with_the_vigil_features_after_them()
    {
        var data = Path.Combine(Directory, "sim.csv");
        var features = Path.Combine(Directory, "features.csv.gz");
        var (generated, _, generateError) = await CliRunner.RunAsync(["generate", "--out", data, "--customers", "200", "--terminals", "400", "--days", "20", "--seed", "3"]);
        Assert.True(generated == 0, generateError);

        var (exitCode, output, error) = await CliRunner.RunAsync(["features", "--data", data, "--out", features]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("Vigil features finished", output, StringComparison.Ordinal);
        Assert.Contains("customer_nb_tx_7d", output, StringComparison.Ordinal);
        var input = File.ReadAllLines(data);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(features), CompressionMode.Decompress));
        var header = (await reader.ReadLineAsync())!.Split(',');
        Assert.Equal(input[0].Split(','), header.Take(7));
        Assert.Contains("terminal_risk_30d", header);
        Assert.Contains("terminal_same_amount_customers_1d", header);
        var rows = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            rows++;
            Assert.StartsWith(input[rows] + ",", line, StringComparison.Ordinal);
            Assert.Equal(header.Length, line.Split(',').Length);
        }

        Assert.Equal(input.Length - 1, rows);
    }

    [Fact]
    public async Task Declared_features_are_added_and_a_customer_count_reads_its_own_history()
    {
        var data = Write("tx.csv", """
            transaction_id,timestamp,customer_id,terminal_id,amount
            1,2018-04-01T10:00:00Z,c1,t1,10
            2,2018-04-01T11:00:00Z,c1,t2,30
            3,2018-04-02T10:00:00Z,c1,t1,20
            4,2018-04-02T10:00:01Z,c2,t1,5
            """);
        var features = Path.Combine(Directory, "out.csv");

        var (exitCode, _, error) = await CliRunner.RunAsync(
            ["features", "--data", data, "--out", features, "--feature-set", "none", "--feature", "n = count(customer, 1d); top = max_amount(customer, 2d); who = distinct_counterparties(terminal, 1d)"]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(
            [
                "transaction_id,timestamp,customer_id,terminal_id,amount,n,top,who",
                "1,2018-04-01T10:00:00Z,c1,t1,10,1,10,1",
                "2,2018-04-01T11:00:00Z,c1,t2,30,2,30,1",
                "3,2018-04-02T10:00:00Z,c1,t1,20,2,30,1",
                "4,2018-04-02T10:00:01Z,c2,t1,5,1,5,2",
            ],
            File.ReadAllLines(features));
    }

    [Theory]
    [InlineData(new[] { "features", "--out", "x.csv" }, "needs --data FILE")]
    [InlineData(new[] { "features", "--data", "missing.csv", "--out", "x.csv" }, "missing.csv not found")]
    [InlineData(new[] { "features", "--data", "missing.csv" }, "needs --out FILE")]
    [InlineData(new[] { "features", "--data", "x.csv", "--out", "y.csv", "--feature-set", "mine" }, "unknown feature set 'mine'")]
    [InlineData(new[] { "features", "--data", "x.csv", "--out", "y.csv", "--feature", "a = median(customer, 1d)" }, "unknown aggregate 'median'")]
    public async Task Bad_arguments_give_one_line_and_exit_code_2(string[] args, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task The_demo_decides_with_features_and_writes_them_in_every_record()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["demo", "--count", "3000", "--rate", "max", "--no-dashboard", "--out", Directory, "--customers", "300", "--terminals", "600", "--seed", "5"]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("features: vigil (22)", output, StringComparison.Ordinal);
        Assert.Contains("3,000 transactions with features", output, StringComparison.Ordinal);
        var record = JsonDocument.Parse(File.ReadLines(Path.Combine(Directory, "streaming.transactions.legit.jsonl")).First()).RootElement;
        Assert.Equal(1, record.GetProperty("features").GetProperty("customer_nb_tx_1d").GetDouble(), 0.0);
        Assert.True(record.GetProperty("vigil").TryGetProperty("fraud", out _));
    }

    [Fact]
    public async Task A_replay_with_identities_joins_each_transaction_with_its_identity_before_detection()
    {
        var transactions = Write("train_transaction.csv", """
            TransactionID,isFraud,TransactionDT,TransactionAmt,card1
            1,0,100,10.0,11
            2,1,160,99.5,12
            3,0,200,12.0,13
            4,0,260,12.25,11
            """);
        var identities = Write("train_identity.csv", "TransactionID,DeviceType\n2,mobile\n4,desktop\n9,mobile\n");

        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["replay", transactions, "--identities", identities, "--rate", "max", "--no-dashboard", "--out", Directory, "--label-delay", "1m"]);

        Assert.True(exitCode == 0, error);
        Assert.Contains("identities    2 transactions joined with their identity · 2 without one", output, StringComparison.Ordinal);
        var records = File.ReadAllLines(Path.Combine(Directory, "streaming.transactions.legit.jsonl"))
            .Concat(File.ReadAllLines(Path.Combine(Directory, "streaming.transactions.fraud.jsonl")))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(r => r.GetProperty("transaction_id").GetRawText());
        Assert.Equal("desktop", records["4"].GetProperty("identity").GetProperty("DeviceType").GetString());
        Assert.Equal("mobile", records["2"].GetProperty("identity").GetProperty("DeviceType").GetString());
        Assert.Equal(JsonValueKind.Null, records["1"].GetProperty("identity").ValueKind);
        Assert.Equal(2, records["4"].GetProperty("features").GetProperty("customer_nb_tx_1d").GetDouble(), 0.0); // card1 11 twice
    }
}
