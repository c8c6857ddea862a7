using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Vigil.Simulation.Datasets;
using Vigil.Simulation.Simulator;

namespace Vigil.Simulation.Tests.Datasets;

public sealed class SimulatedDatasetWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-dataset-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static SimulatorOptions Options(ulong seed = 4) => new() { Customers = 300, Terminals = 500, Days = 15, Seed = seed };

    private string Write(string name, SimulatedDatasetFormat format, ulong seed = 4)
    {
        var path = Path.Combine(_directory, name);
        var simulator = new TransactionSimulator(Options(seed));
        using var writer = new SimulatedDatasetWriter(DatasetFile.Create(path), format);
        while (!simulator.IsFinished)
        {
            writer.Write(simulator.NextDay().Span, simulator.StartUnixMilliseconds);
        }

        return path;
    }

    [Fact]
    public void The_handbook_format_has_the_handbook_raw_files_header_and_values()
    {
        var path = Write("handbook.csv", SimulatedDatasetFormat.Handbook);
        var published = Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data/handbook/raw_2018-05-20_2018-07-14.csv.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(published), CompressionMode.Decompress));

        var lines = File.ReadAllLines(path);
        Assert.Equal(reader.ReadLine(), lines[0]);

        var simulator = new TransactionSimulator(Options());
        var expected = new List<SimulatedTransaction>();
        while (!simulator.IsFinished)
        {
            expected.AddRange(simulator.NextDay().Span);
        }

        Assert.Equal(expected.Count, lines.Length - 1);
        for (var i = 0; i < expected.Count; i++)
        {
            var t = expected[i];
            var start = new DateTime(2018, 4, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(t.TimeSeconds);
            var row = string.Join(',',
                t.TransactionId, start.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), t.CustomerId, t.TerminalId,
                (t.AmountCents / 100.0).ToString("R", CultureInfo.InvariantCulture), t.TimeSeconds, t.Day, t.IsFraud ? 1 : 0, (int)t.Scenario);
            Assert.Equal(row, NormalizeAmount(lines[i + 1]));
        }
    }

    [Fact]
    public void Vigils_format_names_the_columns_as_the_records_do()
    {
        var lines = File.ReadAllLines(Write("vigil.csv", SimulatedDatasetFormat.Vigil));

        Assert.Equal("transaction_id,timestamp,customer_id,terminal_id,amount,fraud,fraud_scenario", lines[0]);
        Assert.Matches(@"^0,2018-04-01T\d\d:\d\d:\d\dZ,\d+,\d+,\d+\.\d\d?,[01],[0-3]$", lines[1]);
    }

    [Fact]
    public void The_same_seed_writes_the_same_bytes_compressed_or_not()
    {
        static string Hash(string path) => Convert.ToHexString(SHA256.HashData(DatasetFile.OpenRead(path)));

        Assert.Equal(Hash(Write("a.csv", SimulatedDatasetFormat.Vigil)), Hash(Write("b.csv.gz", SimulatedDatasetFormat.Vigil)));
        Assert.NotEqual(Hash(Write("a.csv", SimulatedDatasetFormat.Vigil)), Hash(Write("c.csv", SimulatedDatasetFormat.Vigil, seed: 5)));
    }

    /// <summary>Python writes 58.0 for 58.00 where .NET writes 58: compare the amounts as numbers.</summary>
    private static string NormalizeAmount(string line)
    {
        var fields = line.Split(',');
        fields[4] = double.Parse(fields[4], CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
        return string.Join(',', fields);
    }
}
