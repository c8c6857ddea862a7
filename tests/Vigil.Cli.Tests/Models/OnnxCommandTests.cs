using System.Globalization;
using System.Text.Json;
using Vigil.Cli.Tests.Commands;
using Vigil.Cli.Tests.Packaging;
using Vigil.Features;
using Vigil.Models;
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
        await File.WriteAllTextAsync(model, ModelJson.Serialize(new LogisticModel(["amount"], [0], [1], [1], -100, 0.5)));
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

    [Fact]
    public async Task An_exported_model_decides_the_demo_exactly_as_the_vigil_model_it_came_from()
    {
        var directory = Directory.CreateTempSubdirectory("vigil-export-").FullName;
        try
        {
            var json = Path.Combine(directory, "gbt.json");
            var onnx = Path.Combine(directory, "gbt.onnx");
            await File.WriteAllTextAsync(json, ModelJson.Serialize(Boosted()));

            var (exported, output, error) = await CliRunner.RunAsync(["export", "--model", json, "--format", "onnx", "--out", onnx]);
            Assert.True(exported == 0, error + output);
            Assert.Contains("gbt-export (gbt)", output, StringComparison.Ordinal);
            Assert.Contains("graph         X[2] → probabilities, label", output, StringComparison.Ordinal);
            Assert.Matches(@"ONNX Runtime's scores of 2,000 rows differ from Vigil's by at most \d", output);

            var reports = new List<JsonElement>();
            foreach (var model in new[] { json, onnx })
            {
                var report = Path.Combine(directory, Path.GetFileName(model) + ".report.json");
                var (exitCode, demoOutput, demoError) = await CliRunner.RunAsync(
                    ["demo", "--model", model, "--rate", "max", "--count", "4000", "--seed", "5", "--no-dashboard", "--partitions", "2", "--report", report]);
                Assert.True(exitCode == 0, demoError + demoOutput);
                reports.Add(JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement);
            }

            Assert.InRange(reports[0].GetProperty("flagged").GetInt32(), 20, 3980); // the model decides, not only the amount rule
            Assert.Equal(reports[0].GetProperty("flagged").GetInt32(), reports[1].GetProperty("flagged").GetInt32());
            Assert.Equal(reports[0].GetProperty("confusion_matrix").GetRawText(), reports[1].GetProperty("confusion_matrix").GetRawText());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "export", "--model", "DIR/m.json" }, "vigil export needs --out MODEL.onnx to write to")]
    [InlineData(new[] { "export", "--out", "DIR/m.onnx" }, "vigil export needs --model MODEL.json (train one with vigil train)")]
    [InlineData(new[] { "export", "--model", "DIR/m.json", "--out", "DIR/m.onnx", "--format", "pmml" }, "invalid --format 'pmml': expected onnx")]
    [InlineData(new[] { "export", "--model", "DIR/m.onnx", "--out", "DIR/n.onnx" }, "'DIR/m.onnx' is an ONNX model already: vigil export takes a Vigil model (MODEL.json)")]
    [InlineData(new[] { "export", "--model", "DIR/iforest.json", "--out", "DIR/m.onnx" }, "cannot export 'DIR/iforest.json': a iforest model has no ONNX form: Vigil exports logistic regression (lr) and gradient-boosted trees (gbt)")]
    [InlineData(new[] { "export", "--model", "DIR/missing.json", "--out", "DIR/m.onnx" }, "cannot read model 'DIR/missing.json': Could not find file 'DIR/missing.json'.")]
    public async Task Export_mistakes_are_one_line_and_exit_2(string[] args, string message)
    {
        var directory = Directory.CreateTempSubdirectory("vigil-export-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "iforest.json"), ModelJson.Serialize(
                new IsolationForestModel(["amount"], 256, [new DecisionTree([-1], [0], [0], [0], [1], [1])], 0.6)));

            var (exitCode, _, error) = await CliRunner.RunAsync([.. args.Select(a => a.Replace("DIR", directory, StringComparison.Ordinal))]);

            Assert.Equal(2, exitCode);
            Assert.Equal($"vigil: {message.Replace("DIR", directory, StringComparison.Ordinal)}", error.TrimEnd());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Export_to_a_folder_that_does_not_exist_is_one_line_and_exit_2()
    {
        var directory = Directory.CreateTempSubdirectory("vigil-export-").FullName;
        try
        {
            var json = Path.Combine(directory, "gbt.json");
            await File.WriteAllTextAsync(json, ModelJson.Serialize(Boosted()));
            var target = Path.Combine(directory, "no", "such", "m.onnx");

            var (exitCode, _, error) = await CliRunner.RunAsync(["export", "--model", json, "--out", target]);

            Assert.Equal(2, exitCode);
            Assert.StartsWith($"vigil: cannot write '{target}': ", error, StringComparison.Ordinal);
            Assert.Single(error.TrimEnd().Split('\n'));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Trees on amount and the customer's transactions of the day over a linear base: the pipeline computes the feature.</summary>
    private static GradientBoostedModel Boosted()
    {
        var inputs = new[] { "amount", "customer_nb_tx_1d" };
        DecisionTree Split(int feature, double threshold, double low, double high) =>
            new([feature, -1, -1], [threshold, 0, 0], [1, 0, 0], [2, 0, 0], [0, low, high], [1, 1, 1]);
        var linear = new LogisticModel(inputs, [50, 3], [40, 2], [0.8, 0.3], -0.5, 0.5);
        return new GradientBoostedModel(inputs, -1, [Split(0, 120, -0.6, 0.9), Split(1, 4, -0.2, 0.7), Split(0, 60, -0.3, 0.2)], 0.45, linear)
        {
            Version = "gbt-export",
            Features = new FeatureSet("model", [FeatureDefinition.Parse("customer_nb_tx_1d = count(customer, 1d)")]),
        };
    }
}
