using System.Globalization;
using System.Text.Json;
using Vigil.Cli.Tests.Commands;
using Vigil.Cli.Tests.Packaging;
using Vigil.Testing;

namespace Vigil.Cli.Tests.Models;

/// <summary><c>--model FILE.onnx</c> where a model is taken: the fixtures of tools/onnx/make_fixtures.py.</summary>
public sealed class OnnxCommandTests
{
    private static readonly string Fixtures = Path.Combine(Repository.Root, "tests", "Vigil.Onnx.Tests", "Fixtures");

    [Fact]
    public async Task Serve_scores_an_onnx_model_on_the_features_it_computes_itself()
    {
        var port = LoopbackPorts.Free();
        using var stop = new CancellationTokenSource();
        var serving = CliRunner.RunAsync(["serve", "--model", Path.Combine(Fixtures, "sigmoid.onnx"), "--port", port.ToString(CultureInfo.InvariantCulture)], stop: stop.Token);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        JsonElement large, small;
        try
        {
            // No label has come, so terminal_risk_7d is 0: p = sigmoid(0.01 amount − 3).
            large = await ServeCommandTests.ScoreAsync(client, ready: true, transaction: """{"customer_id":"c1","terminal_id":"t1","amount":500}""");
            small = await ServeCommandTests.ScoreAsync(client, ready: true, transaction: """{"customer_id":"c1","terminal_id":"t1","amount":100}""");
        }
        finally
        {
            await stop.CancelAsync();
        }

        var (exitCode, output, error) = await serving;
        Assert.True(exitCode == 0, error + output);
        Assert.True(large.GetProperty("fraud").GetBoolean());
        Assert.Equal(1 / (1 + Math.Exp(-2)), large.GetProperty("score").GetDouble(), 5);
        Assert.Matches("^onnx-[0-9a-f]{8}$", large.GetProperty("model_version").GetString());
        Assert.False(small.GetProperty("fraud").GetBoolean());
        Assert.Equal(1 / (1 + Math.Exp(2)), small.GetProperty("score").GetDouble(), 5);
        Assert.Contains("(onnx, threshold 0.5)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_decides_with_an_onnx_model_on_the_pipeline_s_features()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["demo", "--model", Path.Combine(Fixtures, "trees.onnx"), "--rate", "max", "--count", "3000", "--seed", "2", "--no-dashboard", "--partitions", "2"]);

        Assert.True(exitCode == 0, error + output);
        Assert.Contains("3,000 processed", output, StringComparison.Ordinal);
        Assert.Matches("onnx-[0-9a-f]{8}", output);
    }

    [Fact]
    public async Task The_flags_name_an_onnx_model_s_inputs_and_set_its_threshold_over_its_metadata()
    {
        var trees = Path.Combine(Fixtures, "trees.onnx");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        var (served, output, error) = await CliRunner.RunAsync(
            ["serve", "--model", trees, "--port", "0", "--onnx-threshold", "0.97", "--onnx-inputs", "amount,customer_nb_tx_1d"], stop: stop.Token);
        var (wrongCount, _, wrongError) = await CliRunner.RunAsync(["serve", "--model", trees, "--port", "0", "--onnx-inputs", "amount,a,b"]);
        var (outOfRange, _, rangeError) = await CliRunner.RunAsync(["serve", "--model", trees, "--port", "0", "--onnx-threshold", "7"]);

        Assert.True(served == 0, error + output);
        Assert.Contains("(onnx, threshold 0.97)", output, StringComparison.Ordinal);
        Assert.Contains("columns       amount, customer_nb_tx_1d", output, StringComparison.Ordinal);
        Assert.Equal(2, wrongCount);
        Assert.Equal($"vigil: model '{trees}' cannot be used: its input 'X' takes 2 values, and 3 names were given (amount,a,b)", wrongError.TrimEnd());
        Assert.Equal(2, outOfRange);
        Assert.Equal("vigil: invalid --onnx-threshold '7': expected a score from 0 to 1", rangeError.TrimEnd());
    }

    [Fact]
    public async Task The_onnx_flags_with_a_vigil_model_are_one_line_and_exit_2()
    {
        var model = Path.Combine(Path.GetTempPath(), $"vigil-lr-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(model, Vigil.Models.ModelJson.Serialize(new Vigil.Models.LogisticModel(["amount"], [0], [1], [1], -100, 0.5)));
        try
        {
            var (exitCode, _, error) = await CliRunner.RunAsync(["demo", "--model", model, "--onnx-threshold", "0.9", "--no-dashboard", "--count", "10"]);

            Assert.Equal(2, exitCode);
            Assert.Equal($"vigil: --onnx-inputs and --onnx-threshold are for an .onnx model, and '{model}' is a Vigil model (its file holds both)", error.TrimEnd());
        }
        finally
        {
            File.Delete(model);
        }
    }

    [Fact]
    public async Task A_file_that_is_not_an_onnx_model_is_one_line_and_exit_2()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vigil-broken-{Guid.NewGuid():N}.onnx");
        await File.WriteAllTextAsync(path, "not a model");
        try
        {
            var (exitCode, _, error) = await CliRunner.RunAsync(["serve", "--model", path, "--port", "0"]);

            Assert.Equal(2, exitCode);
            Assert.StartsWith($"vigil: model '{path}' cannot be used: ONNX Runtime cannot load it: ", error, StringComparison.Ordinal);
            Assert.Single(error.TrimEnd().Split('\n'));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
