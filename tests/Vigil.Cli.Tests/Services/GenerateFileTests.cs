using System.Security.Cryptography;
using Vigil.Cli.Tests.Commands;
using Vigil.Simulation.Datasets;

namespace Vigil.Cli.Tests.Services;

public sealed class GenerateFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-generate-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static string[] Small(string path, ulong seed) =>
        ["generate", "--out", path, "--days", "10", "--customers", "500", "--terminals", "1000", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    [Fact]
    public async Task Generate_writes_a_dataset_with_ground_truth_the_same_bytes_for_the_same_seed()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(Small(PathOf("a.csv"), 5));
        await CliRunner.RunAsync(Small(PathOf("b.csv.gz"), 5));
        await CliRunner.RunAsync(Small(PathOf("c.csv"), 6));

        Assert.True(exitCode == 0, error);
        static string Hash(string path) => Convert.ToHexString(SHA256.HashData(DatasetFile.OpenRead(path)));
        Assert.Equal(Hash(PathOf("a.csv")), Hash(PathOf("b.csv.gz")));
        Assert.NotEqual(Hash(PathOf("a.csv")), Hash(PathOf("c.csv")));
        var lines = await File.ReadAllLinesAsync(PathOf("a.csv"));
        Assert.Equal(SimulatedDatasetWriter.VigilHeader, lines[0]);
        Assert.Contains($"{lines.Length - 1:N0} over 10 days", output, StringComparison.Ordinal);
        Assert.Contains("Vigil generate finished", output, StringComparison.Ordinal);
        Assert.Contains("by scenario 1:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_handbook_format_and_a_count_limit()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync([.. Small(PathOf("h.csv"), 1), "--format", "handbook", "--count", "1234"]);

        Assert.True(exitCode == 0, error);
        var lines = await File.ReadAllLinesAsync(PathOf("h.csv"));
        Assert.Equal(SimulatedDatasetWriter.HandbookHeader, lines[0]);
        Assert.Equal(1235, lines.Length);
    }

    [Theory]
    [InlineData(new[] { "--profile", "seed" }, "vigil: --out writes a dataset with ground truth, which only the simulator profile has (the seed profile goes to Kafka)")]
    [InlineData(new[] { "--kafka", "127.0.0.1:9" }, "vigil: choose --out {0} or --kafka 127.0.0.1:9, not both")]
    [InlineData(new[] { "--days", "none" }, "vigil: --days none never ends: give a number of days or --count to write a file")]
    [InlineData(new[] { "--format", "parquet" }, "vigil: invalid --format 'parquet': expected vigil or handbook")]
    public async Task Impossible_requests_are_one_line_and_exit_code_2(string[] extra, string expected)
    {
        var path = PathOf("x.csv");

        var (exitCode, _, error) = await CliRunner.RunAsync(["generate", "--out", path, .. extra]);

        Assert.Equal(2, exitCode);
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, path), error.Trim());
        Assert.False(File.Exists(path));
    }
}
