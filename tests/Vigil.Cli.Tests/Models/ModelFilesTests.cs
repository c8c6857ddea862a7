using System.Text.Json;
using Vigil.Cli.Models;
using Vigil.Cli.Tests.Commands;
using Vigil.Detection;
using Vigil.Features;
using Vigil.Models;
using Vigil.Testing;

namespace Vigil.Cli.Tests.Models;

public sealed class ModelFilesTests() : TempDirectoryTest("vigil-model-files-")
{
    private static string Json(double intercept, string version, FeatureSet? features = null) => ModelJson.Serialize(
        new LogisticModel(["amount"], [0], [1], [1], intercept, 0.5) { Version = version, Features = features ?? FeatureSet.None });

    [Fact]
    public void A_replaced_file_is_swapped_in_and_a_broken_or_unfit_one_is_rejected_while_the_old_model_keeps_deciding()
    {
        var path = Path.Combine(Directory, "model.json");
        File.WriteAllText(path, Json(-500, "lr-one"));
        var files = ModelFiles.Open(new DetectorOptions { Model = path })!;
        var swapped = new List<DetectionModels>();
        var log = new List<string>();
        var available = FeatureSet.None;

        files.Check(available, swapped.Add, new ListLogger(log));
        File.WriteAllText(path, Json(-100, "lr-two") + "\n");
        files.Check(available, swapped.Add, new ListLogger(log));
        File.WriteAllText(path, "{ not a model, and longer than before }");
        files.Check(available, swapped.Add, new ListLogger(log));
        var needsFeatures = new FeatureSet("vigil", [FeatureSet.Vigil.Definitions[FeatureSet.Vigil.IndexOf("customer_nb_tx_1d")]]);
        File.WriteAllText(path, Json(-100, "lr-three", needsFeatures));
        files.Check(available, swapped.Add, new ListLogger(log));

        Assert.Equal(["lr-two"], swapped.Select(m => m.Primary.Version));
        Assert.Equal("lr-two", files.Current.Primary.Version);
        Assert.Equal((1, 2), (files.Swaps, files.Rejected));
        Assert.Equal("model swapped: lr-one → lr-two", log[0]);
        Assert.StartsWith("model update rejected: model '", log[1], StringComparison.Ordinal);
        Assert.EndsWith("still deciding with lr-two", log[1], StringComparison.Ordinal);
        Assert.Contains("needs feature 'customer_nb_tx_1d = count(customer, 1d)'", log[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_scores_with_a_model_computing_the_features_it_needs_and_writes_its_version_on_every_decision()
    {
        var model = Path.Combine(Directory, "model.json");
        var features = new FeatureSet("model", [FeatureSet.Vigil.Definitions[FeatureSet.Vigil.IndexOf("customer_nb_tx_1d")]]);
        File.WriteAllText(model, ModelJson.Serialize(new LogisticModel(["customer_nb_tx_1d"], [0], [1], [1], -2.5, 0.5) { Version = "lr-busy", Features = features }));
        var shadow = Path.Combine(Directory, "shadow.json");
        File.WriteAllText(shadow, ModelJson.Serialize(new LogisticModel(["amount"], [0], [1], [0], 10, 0.5) { Version = "lr-alarmist" }));
        var output = Path.Combine(Directory, "out");

        var (exitCode, stdout, error) = await CliRunner.RunAsync(
            ["demo", "--count", "3000", "--seed", "1", "--rate", "max", "--no-dashboard", "--feature-set", "none", "--model", model, "--shadow-model", shadow, "--out", output]);

        Assert.True(exitCode == 0, error + stdout);
        Assert.Contains("model         lr-busy (lr, threshold 0.5) · shadow lr-alarmist · 0 swapped in, 0 updates rejected", stdout, StringComparison.Ordinal);
        // Seed 1's first 3,000 transactions hold frauds, all of which a shadow flagging everything catches.
        Assert.Matches(@"shadow        precision [\d.]+ % · recall 100\.0 % · F1 [\d.]+ \(3,000 labelled\) · it flagged 3,000 \(100\.0 %\), deciding nothing", stdout);
        var decided = System.IO.Directory.GetFiles(output, "streaming.*.jsonl").SelectMany(File.ReadLines).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3000, decided.Count);
        Assert.All(decided, r => Assert.Equal("lr-busy", r.GetProperty("vigil").GetProperty("versions").GetProperty("model").GetString()));
        Assert.All(decided, r => Assert.True(r.GetProperty("vigil").GetProperty("shadow").GetProperty("fraud").GetBoolean()));
        var busy = decided.Where(r => r.GetProperty("features").GetProperty("customer_nb_tx_1d").GetDouble() >= 3).ToList();
        Assert.NotEmpty(busy);
        Assert.All(busy, r => Assert.Contains(r.GetProperty("vigil").GetProperty("reasons").EnumerateArray(),
            reason => reason.GetProperty("code").GetString() == "model:customer_nb_tx_1d"));
    }

    [Fact]
    public async Task A_shadow_model_needs_a_model()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["demo", "--shadow-model", "x.json", "--no-dashboard"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("--shadow-model runs beside a model: give --model too", error, StringComparison.Ordinal);
    }
}
