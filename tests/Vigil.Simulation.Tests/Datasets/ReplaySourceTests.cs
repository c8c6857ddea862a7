using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Vigil.Simulation.Datasets;
using Vigil.Simulation.Datasets.Replay;
using Vigil.Simulation.Simulator;

namespace Vigil.Simulation.Tests.Datasets;

public sealed class ReplaySourceTests : IDisposable
{
    private static readonly string SharedData = Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data");
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-replay-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string File(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private sealed record Replayed(string? Value, string? Label, string? Identity, string Key, long EventTimeMs, string? Invalid, long? Line);

    private static List<Replayed> ReplayAll(ReplaySource source)
    {
        var records = new List<Replayed>();
        using (source)
        {
            while (source.MoveNext())
            {
                var invalid = source.Invalid;
                records.Add(new Replayed(
                    invalid is null ? Encoding.UTF8.GetString(source.Value) : null,
                    source.Label.IsEmpty ? null : Encoding.UTF8.GetString(source.Label),
                    source.Identity.IsEmpty ? null : Encoding.UTF8.GetString(source.Identity),
                    Encoding.UTF8.GetString(source.Key),
                    source.EventTimeMs,
                    invalid is null ? null : $"{invalid.Code}: {invalid.Reason}",
                    invalid?.Line));
            }
        }

        return records;
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void The_ulb_sample_replays_every_row_with_its_pca_features_and_its_class_apart()
    {
        var source = ReplaySource.Open(new ReplayOptions { Path = Path.Combine(SharedData, "ulb/creditcard_first_9528_rows.csv.gz") });

        var records = ReplayAll(source);

        Assert.Equal(DatasetFormat.Ulb, source.Mapping.Format);
        Assert.Equal(9_528, records.Count);
        Assert.All(records, r => Assert.Null(r.Invalid));
        Assert.Equal(38, records.Count(r => Json(r.Label!).GetProperty("fraud").GetInt32() == 1));
        var first = Json(records[0].Value!);
        Assert.Equal(0, first.GetProperty("transaction_id").GetInt64());
        Assert.Equal("2013-09-01T00:00:00Z", first.GetProperty("timestamp").GetString());
        Assert.Equal(149.62, first.GetProperty("amount").GetDouble());
        Assert.Equal(-1.3598071336738, first.GetProperty("V1").GetDouble());
        Assert.Equal(28, first.EnumerateObject().Count(p => p.Name.StartsWith('V')));
        Assert.False(first.TryGetProperty("Class", out _));
        Assert.False(first.TryGetProperty("Time", out _));
        Assert.True(records.Zip(records.Skip(1)).All(p => p.First.EventTimeMs <= p.Second.EventTimeMs));
    }

    [Fact]
    public void The_handbook_raw_file_replays_with_its_ids_and_scenarios()
    {
        var source = ReplaySource.Open(new ReplayOptions { Path = Path.Combine(SharedData, "handbook/raw_2018-05-20_2018-07-14.csv.gz") });
        source.MoveNext();

        Assert.Equal(DatasetFormat.Handbook, source.Mapping.Format);
        Assert.Equal(536_493, source.Rows);
        Assert.True(source.WasInOrder);
        Assert.Equal("""{"transaction_id":470491,"timestamp":"2018-05-20T00:00:26Z","customer_id":2732,"terminal_id":1170,"amount":28.51}""",
            Encoding.UTF8.GetString(source.Value));
        Assert.Equal("""{"transaction_id":470491,"fraud":0,"fraud_scenario":0,"amount":28.51,"timestamp":"2018-05-20T00:00:26Z","customer_id":2732,"terminal_id":1170}""",
            Encoding.UTF8.GetString(source.Label));
        Assert.Equal("2732", Encoding.UTF8.GetString(source.Key));
        source.Dispose();
    }

    [Fact]
    public void What_the_simulator_writes_replays_as_the_simulator_streams_it()
    {
        var path = Path.Combine(_directory, "simulated.csv.gz");
        var options = new SimulatorOptions { Customers = 100, Terminals = 200, Days = 5, Seed = 8 };
        var simulator = new TransactionSimulator(options);
        using (var writer = new SimulatedDatasetWriter(DatasetFile.Create(path), SimulatedDatasetFormat.Vigil))
        {
            while (!simulator.IsFinished)
            {
                writer.Write(simulator.NextDay().Span, simulator.StartUnixMilliseconds);
            }
        }

        var replayed = ReplayAll(ReplaySource.Open(new ReplayOptions { Path = path }));
        var streamed = new List<(string, string)>();
        var live = new Vigil.Simulation.Sources.SimulatorSource(new TransactionSimulator(options));
        while (live.MoveNext())
        {
            streamed.Add((Encoding.UTF8.GetString(live.Value), Encoding.UTF8.GetString(live.Label)));
        }

        Assert.Equal(streamed, replayed.Select(r => (r.Value!, r.Label!)));
    }

    [Fact]
    public void Bad_rows_become_invalid_records_with_their_line_and_the_good_ones_still_replay()
    {
        var path = File("bad.csv", """
            transaction_id,timestamp,customer_id,amount,fraud
            1,2018-04-01T00:00:01Z,7,10.5,0
            2,2018-04-01T00:00:02Z,7,-3,0
            3,2018-04-01T00:00:03Z,7,abc,0
            4,yesterday,7,5,0
            5,2018-04-01T00:00:05Z,7,5,maybe
            6,2018-04-01T00:00:06Z,7
            7,2018-04-01T00:00:07Z,8,,0
            8,2018-04-01T00:00:08Z,8,1e2,1
            """);

        var records = ReplayAll(ReplaySource.Open(new ReplayOptions { Path = path }));

        Assert.Equal([null, 3L, 4, 5, 6, 7, 8, null], records.Select(r => r.Line));
        Assert.Equal(
        [
            null,
            "amount_negative: line 3: amount is negative (-3)",
            "bad_amount: line 4: amount 'abc' is not a number",
            "bad_timestamp: line 5: timestamp 'yesterday' is neither ISO-8601 (2018-04-01T00:00:31Z) nor a number of seconds",
            "bad_label: line 6: the label 'maybe' is not 0, 1, true or false",
            "bad_row: line 7: the row has 3 fields; the header has 5",
            "missing_amount: line 8: amount is empty",
            null,
        ], records.Select(r => r.Invalid));
        Assert.Equal(100, Json(records[^1].Value!).GetProperty("amount").GetDouble());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Stray_quotes_cost_only_their_own_rows_and_every_row_is_replayed_or_invalid(bool outOfOrder)
    {
        var text = new StringBuilder("transaction_id,timestamp,customer_id,amount,fraud\n");
        var bad = new Dictionary<long, string>
        {
            [11] = "\"open,5,0", // a quote opening a field that never closes
            [400] = "\"open,5,0", // and another, which pairs with the next
            [405] = "7,\"x\"y,0", // text after a closing quote: the amount is x, kept as lenient readers do
            [600] = "7,5\"\"\",0", // quotes inside a field are text
        };
        for (var line = 2L; line <= 1_001; line++)
        {
            var second = outOfOrder && line % 10 == 0 ? line - 5 : line;
            text.Append(line).Append(",2018-04-01T").Append(TimeOnly.FromTimeSpan(TimeSpan.FromSeconds(second)).ToString("HH:mm:ss", null)).Append("Z,")
                .Append(bad.TryGetValue(line, out var row) ? row : "7,5,0").Append('\n');
        }

        var source = ReplaySource.Open(new ReplayOptions { Path = File("quotes.csv", text.ToString()) });
        var records = ReplayAll(source);

        Assert.Equal(1_000, source.Rows);
        Assert.Equal(1_000, records.Count);
        Assert.Equal([11L, 400, 405, 600], records.Where(r => r.Invalid is not null).Select(r => r.Line!.Value).Order());
        Assert.StartsWith("bad_row: line 11: a quoted field opened on this line is not closed", records.Single(r => r.Line == 11).Invalid);
        Assert.Equal(996, records.Count(r => r.Invalid is null));
    }

    /// <summary>Broken rows, each between two good ones in a handbook-shaped file: the code it gets (null: it is a transaction).</summary>
    public static TheoryData<string, string, string?> BrokenRows => new()
    {
        { "amount a word", "2,2018-04-01T00:00:02Z,7,3,abc,0,0", "bad_amount" },
        { "amount empty", "2,2018-04-01T00:00:02Z,7,3,,0,0", "missing_amount" },
        { "amount negative", "2,2018-04-01T00:00:02Z,7,3,-5,0,0", "amount_negative" },
        { "amount overflowing a double", "2,2018-04-01T00:00:02Z,7,3,1e400,0,0", "bad_amount" },
        { "amount over the limit", "2,2018-04-01T00:00:02Z,7,3,1.7e308,0,0", "amount_too_large" },
        { "amount NaN", "2,2018-04-01T00:00:02Z,7,3,NaN,0,0", "bad_amount" },
        { "amount Infinity", "2,2018-04-01T00:00:02Z,7,3,Infinity,0,0", "bad_amount" },
        { "amount padded with spaces", "2,2018-04-01T00:00:02Z,7,3, 12.5 ,0,0", "bad_amount" },
        { "amount with a plus sign", "2,2018-04-01T00:00:02Z,7,3,+5,0,0", "bad_amount" },
        { "amount hexadecimal", "2,2018-04-01T00:00:02Z,7,3,0x10,0,0", "bad_amount" },
        { "amount with a thousands separator", "2,2018-04-01T00:00:02Z,7,3,1_000,0,0", "bad_amount" },
        { "amount with a decimal comma", "2,2018-04-01T00:00:02Z,7,3,\"1,5\",0,0", "bad_amount" },
        { "amount with a bare exponent", "2,2018-04-01T00:00:02Z,7,3,5e,0,0", "bad_amount" },
        { "amount with a tab", "2,2018-04-01T00:00:02Z,7,3,5\t,0,0", "bad_amount" },
        { "timestamp a word", "2,yesterday,7,3,5,0,0", "bad_timestamp" },
        { "timestamp empty", "2,,7,3,5,0,0", "bad_timestamp" },
        { "timestamp 30 February", "2,2018-02-30T00:00:00Z,7,3,5,0,0", "bad_timestamp" },
        { "timestamp 24:00", "2,2018-04-01T24:00:00Z,7,3,5,0,0", "bad_timestamp" },
        { "timestamp with an offset past 24 h", "2,2018-04-01T00:00:00+25:00,7,3,5,0,0", "bad_timestamp" },
        { "label a word", "2,2018-04-01T00:00:02Z,7,3,5,maybe,0", "bad_label" },
        { "label 2", "2,2018-04-01T00:00:02Z,7,3,5,2,0", "bad_label" },
        { "fraud scenario a word", "2,2018-04-01T00:00:02Z,7,3,5,1,abc", "bad_label" },
        { "fraud scenario negative", "2,2018-04-01T00:00:02Z,7,3,5,1,-1", "bad_label" },
        { "too few fields", "2,2018-04-01T00:00:02Z,7,3", "bad_row" },
        { "too many fields", "2,2018-04-01T00:00:02Z,7,3,5,0,0,extra", "bad_row" },
        { "only commas", ",,,,,,", "missing_amount" },
        { "not UTF-8", "2,2018-04-01T00:00:02Z,7\u00ff,3,5,0,0", "not_utf8" },
        { "a quote opening a field that never closes", "2,2018-04-01T00:00:02Z,\"7,3,5,0,0", "bad_row" },
        { "a quote opening the amount that never closes", "2,2018-04-01T00:00:02Z,7,3,\"5,0,0", "bad_row" },
        { "a line of 2 MiB", "2,2018-04-01T00:00:02Z,7,3,5,0," + new string('0', 2 << 20), "bad_row" },
        { "a quote inside an id is text", "2,2018-04-01T00:00:02Z,7\"x,3,5,0,0", null },
        { "every field quoted", "\"2\",\"2018-04-01T00:00:02Z\",\"7\",\"3\",\"5\",\"0\",\"0\"", null },
        { "an escaped quote in an id", "2,2018-04-01T00:00:02Z,\"7\"\"x\",3,5,0,0", null },
        { "a line break inside a quoted id", "2,2018-04-01T00:00:02Z,\"7\nx\",3,5,0,0", "bad_row" },
        { "a NUL in an id", "2,2018-04-01T00:00:02Z,7\u0000x,3,5,0,0", null },
        { "negative zero", "2,2018-04-01T00:00:02Z,7,3,-0,0,0", null },
        { "label true in capitals", "2,2018-04-01T00:00:02Z,7,3,5,TRUE,1", null },
        { "a carriage return line end", "2,2018-04-01T00:00:02Z,7,3,5,0,0\r", null },
    };

    [Theory]
    [MemberData(nameof(BrokenRows))]
    public void A_broken_row_is_an_invalid_record_with_its_line_and_the_rows_around_it_replay(string name, string row, string? code)
    {
        var text = "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD,TX_FRAUD_SCENARIO\n"
            + "1,2018-04-01T00:00:01Z,7,3,5,0,0\n" + row + "\n3,2018-04-01T00:00:03Z,7,3,5,0,0\n";
        var path = Path.Combine(_directory, "broken.csv");
        System.IO.File.WriteAllBytes(path, Encoding.Latin1.GetBytes(text)); // \u00ff becomes the byte 0xFF, not UTF-8

        var source = ReplaySource.Open(new ReplayOptions { Path = path });
        var records = ReplayAll(source);

        Assert.Equal(source.Rows, records.Count);
        Assert.Null(records[0].Invalid);
        Assert.Null(records[^1].Invalid);
        Assert.Equal(3, Json(records[^1].Value!).GetProperty("transaction_id").GetInt64());
        var middle = records.Where(r => r != records[0] && r != records[^1]).ToList();
        if (code is null)
        {
            var transaction = Assert.Single(middle);
            Assert.True(transaction.Invalid is null, $"{name}: {transaction.Invalid}");
            Assert.Equal(2, Json(transaction.Value!).GetProperty("transaction_id").GetInt64());
        }
        else
        {
            Assert.NotEmpty(middle);
            Assert.StartsWith($"{code}: line 3: ", middle[0].Invalid, StringComparison.Ordinal);
            Assert.All(middle, r => Assert.NotNull(r.Invalid));
        }
    }

    [Fact]
    public void A_file_out_of_event_time_order_is_sorted_ties_keeping_the_file_order()
    {
        var path = File("unsorted.csv", """
            id,when,amount
            a,2018-04-01T00:00:03Z,3
            b,2018-04-01T00:00:01Z,1
            c,2018-04-01T00:00:02Z,2
            d,2018-04-01T00:00:01Z,4
            """);

        var source = ReplaySource.Open(new ReplayOptions { Path = path, Columns = new Dictionary<string, string> { ["transaction_id"] = "id", ["timestamp"] = "when" } });
        var records = ReplayAll(source);

        Assert.False(source.WasInOrder);
        Assert.Equal(["b", "d", "c", "a"], records.Select(r => Json(r.Value!).GetProperty("transaction_id").GetString()));
        Assert.Null(records[0].Label);
    }

    [Fact]
    public void Ieee_transactions_replay_with_their_identities_joined_by_id_and_orphans_reported()
    {
        var transactions = File("train_transaction.csv", """
            TransactionID,isFraud,TransactionDT,TransactionAmt,ProductCD,card1,card4,C1,V1
            2987000,0,86400,68.5,W,13926,discover,1.0,
            2987001,1,86401,29.0,W,2755,mastercard,1.0,1.0
            2987002,0,86469,59.0,W,4663,visa,1.0,1.0
            """);
        var identities = File("train_identity.csv", """
            TransactionID,id_01,id_12,DeviceType,DeviceInfo
            2987001,-5.0,NotFound,mobile,"SAMSUNG SM-G892A Build/NRD90M"
            2987999,0.0,Found,desktop,Windows
            2987002,-10,Found,desktop
            """);

        var records = ReplayAll(ReplaySource.Open(new ReplayOptions { Path = transactions, Identities = identities }));

        Assert.Equal(5, records.Count);
        Assert.Equal("bad_row: line 4: the row has 4 fields; the header has 5", records[0].Invalid);
        var first = Json(records[1].Value!);
        Assert.Equal(2987000, first.GetProperty("transaction_id").GetInt64());
        Assert.Equal("2017-12-02T00:00:00Z", first.GetProperty("timestamp").GetString());
        Assert.Equal(13926, first.GetProperty("customer_id").GetInt32());
        Assert.Equal("discover", first.GetProperty("card4").GetString());
        Assert.False(first.TryGetProperty("V1", out _));
        Assert.False(first.TryGetProperty("isFraud", out _));
        Assert.Equal("13926", records[1].Key);
        Assert.Null(records[1].Identity);
        var identity = Json(records[2].Identity!);
        Assert.Equal(2987001, identity.GetProperty("transaction_id").GetInt64());
        Assert.Equal("2017-12-02T00:00:01Z", identity.GetProperty("timestamp").GetString());
        Assert.Equal("SAMSUNG SM-G892A Build/NRD90M", identity.GetProperty("DeviceInfo").GetString());
        Assert.Equal(-5.0, identity.GetProperty("id_01").GetDouble());
        Assert.Equal(1, Json(records[2].Label!).GetProperty("fraud").GetInt32());
        Assert.Null(records[3].Identity);
        Assert.StartsWith("no_transaction: line 3: no transaction in train_transaction.csv", records[4].Invalid, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a,b\n1,2\n", null, "cannot tell the format of x.csv from its header (a,b): pass --format vigil|handbook|ulb|ieee, or map the columns with --columns amount=COLUMN,timestamp=COLUMN,…")]
    [InlineData("amount,when\n1,2\n", "timestamp=time", "x.csv has no column 'time' for timestamp (its columns: amount,when)")]
    [InlineData("amount\n1\n", "price=amount", "--columns names the field 'price'; the fields are transaction_id, timestamp, customer_id, terminal_id, amount, currency, fraud, fraud_scenario")]
    [InlineData("", null, "has no header: a dataset starts with a row naming its columns")]
    public void A_file_that_cannot_be_replayed_says_why_and_what_to_do(string content, string? columns, string message)
    {
        var path = File("x.csv", content);
        var mapping = columns is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [columns.Split('=')[0]] = columns.Split('=')[1] };

        var error = Assert.Throws<DatasetException>(() => ReplaySource.Open(new ReplayOptions { Path = path, Columns = mapping }));

        Assert.EndsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_or_a_broken_gzip_is_a_clear_error()
    {
        Assert.Equal("/nonexistent/x.csv not found", Assert.Throws<DatasetException>(() => ReplaySource.Open(new ReplayOptions { Path = "/nonexistent/x.csv" })).Message);
        var broken = File("broken.csv.gz", "not gzip at all");
        Assert.StartsWith($"{broken} cannot be read:", Assert.Throws<DatasetException>(() => ReplaySource.Open(new ReplayOptions { Path = broken })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Numeric_times_of_a_custom_mapping_need_a_start_date()
    {
        var path = File("seconds.csv", "t,amount\n5,1\n");
        var columns = new Dictionary<string, string> { ["timestamp"] = "t" };

        var without = ReplayAll(ReplaySource.Open(new ReplayOptions { Path = path, Columns = columns }));
        var with = ReplayAll(ReplaySource.Open(new ReplayOptions { Path = path, Columns = columns, StartDate = new DateOnly(2020, 1, 1) }));

        Assert.Equal("bad_timestamp: line 2: timestamp 5 is a number: give --start-date, the date it counts seconds from", without[0].Invalid);
        Assert.Equal(new DateTimeOffset(2020, 1, 1, 0, 0, 5, TimeSpan.Zero).ToUnixTimeMilliseconds(), with[0].EventTimeMs);
    }
}
