using System.Text.Json;
using Vigil.Cli.Tests.Commands;
using Vigil.Models;

namespace Vigil.Cli.Tests.Models;

public sealed class ModelCommandTests() : TempDirectoryTest("vigil-models-")
{
    private static readonly string Ulb = Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data/ulb/creditcard_first_9528_rows.csv.gz");

    [Fact]
    public async Task Train_on_the_ulb_sample_writes_a_model_of_v1_to_v28_and_amount_that_evaluate_scores()
    {
        var model = Path.Combine(Directory, "lr.json");

        var (trained, output, error) = await CliRunner.RunAsync(["train", "--data", Ulb, "--model", "lr", "--out", model]);

        Assert.True(trained == 0, error + output);
        var read = ModelJson.Deserialize(File.ReadAllText(model));
        Assert.Equal(ModelKind.LogisticRegression, read.Kind);
        Assert.Equal(["amount", .. Enumerable.Range(1, 28).Select(i => $"V{i}")], read.Inputs);
        Assert.Equal(38, read.Metadata["training"]!["frauds"]!.GetValue<int>());
        Assert.Contains(read.Version, output, StringComparison.Ordinal);

        var report = Path.Combine(Directory, "scored.json");
        var (evaluated, evaluation, evaluateError) = await CliRunner.RunAsync(["evaluate", "--data", Ulb, "--model", model, "--report", report]);

        Assert.True(evaluated == 0, evaluateError + evaluation);
        var all = JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("splits").GetProperty("all");
        Assert.True(all.GetProperty("auc_roc").GetDouble() > 0.95);
        Assert.Equal(38, all.GetProperty("test_frauds").GetInt32());
    }

    [Fact]
    public async Task Train_sets_the_threshold_by_review_capacity_and_by_cost_and_the_model_file_says_which()
    {
        var capacity = Path.Combine(Directory, "capacity.json");
        var cost = Path.Combine(Directory, "cost.json");

        var (byCapacity, capacityOutput, capacityError) = await CliRunner.RunAsync(["train", "--data", Ulb, "--model", "lr", "--out", capacity, "--alerts-per-day", "10"]);
        var (byCost, costOutput, costError) = await CliRunner.RunAsync(["train", "--data", Ulb, "--model", "lr", "--out", cost, "--missed-fraud-cost", "1000", "--review-cost", "1"]);

        Assert.True(byCapacity == 0, capacityError + capacityOutput);
        Assert.True(byCost == 0, costError + costOutput);
        Assert.Contains("(at most 10 alerts a day on the held-out rows)", capacityOutput, StringComparison.Ordinal);
        Assert.Contains("(the least cost at 1000 a missed fraud and 1 a review on the held-out rows)", costOutput, StringComparison.Ordinal);
        var (capacityModel, costModel) = (ModelJson.Deserialize(File.ReadAllText(capacity)), ModelJson.Deserialize(File.ReadAllText(cost)));
        Assert.Contains("\"threshold_choice\": \"at most 10 alerts a day\"", File.ReadAllText(capacity), StringComparison.Ordinal);

        // The ULB sample spans a few hours (Time is seconds), which count as a day: 10 alerts a day is at most 10 of its
        // 9,528 rows, while a missed fraud worth 1,000 reviews flags more.
        Assert.True(capacityModel.Threshold > costModel.Threshold, $"{capacityModel.Threshold} vs {costModel.Threshold}");
        var report = Path.Combine(Directory, "capacity-report.json");
        Assert.Equal(0, (await CliRunner.RunAsync(["evaluate", "--data", Ulb, "--model", capacity, "--report", report])).ExitCode);
        var all = JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("splits").GetProperty("all");
        var confusion = all.GetProperty("confusion_matrix");
        Assert.InRange(confusion.GetProperty("true_positives").GetInt32() + confusion.GetProperty("false_positives").GetInt32(), 1, 10); // its rows span under a day
    }

    [Fact]
    public async Task Evaluate_random70_trains_on_70_percent_and_writes_json_html_and_markdown_reports()
    {
        var json = Path.Combine(Directory, "report.json");
        var html = Path.Combine(Directory, "report.html");
        var markdown = Path.Combine(Directory, "report.md");

        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["evaluate", "--data", Ulb, "--model", "gbt", "--protocol", "random70", "--trees", "40", "--report", $"{json},{html},{markdown}"]);

        Assert.True(exitCode == 0, error + output);
        var split = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("splits").GetProperty("random70");
        Assert.Equal(9528 - (int)(9528 * 0.7), split.GetProperty("test_rows").GetInt32());
        foreach (var key in new[] { "auc_roc", "average_precision", "precision", "recall", "f1" })
        {
            Assert.InRange(split.GetProperty(key).GetDouble(), 0, 1);
        }

        Assert.Equal(JsonValueKind.Null, split.GetProperty("card_precision_at_100").ValueKind);
        Assert.Contains("<svg", File.ReadAllText(html), StringComparison.Ordinal);
        Assert.Contains("![ROC curve](report-roc.svg)", File.ReadAllText(markdown), StringComparison.Ordinal);
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(Directory, "report-pr.svg")), StringComparison.Ordinal);
        Assert.Contains("random70", output, StringComparison.Ordinal);
    }

    /// <summary>57 simulated days of 300 customers: enough for the handbook protocol from 2018-04-15 with its four folds.</summary>
    private async Task<string> HandbookSizedDataAsync()
    {
        var data = Path.Combine(Directory, "sim.csv");
        Assert.Equal(0, (await CliRunner.RunAsync(["generate", "--out", data, "--customers", "300", "--terminals", "600", "--days", "57", "--seed", "2"])).ExitCode);
        return data;
    }

    [Fact]
    public async Task Investigators_feed_the_delay_weeks_riskiest_cards_back_and_both_models_are_reported()
    {
        var data = await HandbookSizedDataAsync();
        var report = Path.Combine(Directory, "investigators.json");

        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["evaluate", "--data", data, "--model", "lr", "--protocol", "handbook", "--train-start", "2018-04-15", "--feature-set", "handbook", "--investigators", "20", "--report", report]);

        Assert.True(exitCode == 0, error + output);
        Assert.Contains("delayed labels only (7 days of the delay unknown):", output, StringComparison.Ordinal);
        Assert.Matches(@"with 20 investigated cards a day: [\d,]+ rows of the delay weeks \([\d,]+ frauds\) known at once, over 5 splits:", output);
        Assert.Matches(@"feedback +prequential mean: AUC ROC 0\.\d{3} → 0\.\d{3} · AP 0\.\d{3} → 0\.\d{3} · CP@100", output);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(output, "Vigil evaluate finished"));
        var root = JsonDocument.Parse(File.ReadAllText(report)).RootElement;
        Assert.EndsWith("with 20 cards a day investigated during the delay", root.GetProperty("model").GetString(), StringComparison.Ordinal);

        // The model with feedback learned from the 7 training days and, on top, the reviewed cards' transactions.
        var trainingDays = File.ReadLines(data).Skip(1).Count(line =>
            string.CompareOrdinal(line.Split(',')[1], "2018-04-15") >= 0 && string.CompareOrdinal(line.Split(',')[1], "2018-04-22") < 0);
        Assert.InRange(root.GetProperty("splits").GetProperty("single").GetProperty("train_rows").GetInt32(), trainingDays + 20, trainingDays + (20 * 7 * 50));
    }

    [Theory]
    [InlineData("random70 has no delay week", new[] { "--model", "lr", "--protocol", "random70" })]
    [InlineData("a model file is not trained", new[] { "--model", "model.json", "--protocol", "handbook" })]
    public async Task Investigators_need_the_handbook_protocol_and_a_model_to_train(string why, string[] args)
    {
        Assert.NotEmpty(why);
        var (exitCode, _, error) = await CliRunner.RunAsync(["evaluate", "--data", "x.csv", "--investigators", "10", .. args]);

        Assert.Equal(2, exitCode);
        Assert.Equal("vigil: --investigators needs --protocol handbook and a model kind to train (lr, gbt or iforest): the feedback comes from its delay week", error.Trim());
    }

    [Fact]
    public async Task The_handbook_protocol_on_simulated_data_reports_the_single_split_and_four_prequential_folds()
    {
        var data = await HandbookSizedDataAsync();
        var report = Path.Combine(Directory, "handbook.json");

        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["evaluate", "--data", data, "--model", "lr", "--protocol", "handbook", "--train-start", "2018-04-15", "--feature-set", "handbook", "--report", report]);

        Assert.True(exitCode == 0, error + output);
        var root = JsonDocument.Parse(File.ReadAllText(report)).RootElement;
        Assert.Equal(["single", "prequential-1", "prequential-2", "prequential-3", "prequential-4"],
            root.GetProperty("splits").EnumerateObject().Select(p => p.Name));
        var single = root.GetProperty("splits").GetProperty("single");
        Assert.Contains("train 2018-04-15..2018-04-21, test 2018-04-29..2018-05-05", single.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(single.GetProperty("auc_roc").GetDouble() > 0.7);
        Assert.Equal(7, single.GetProperty("card_precision_at_100_per_day").GetArrayLength());
        var folds = root.GetProperty("splits").EnumerateObject().Skip(1).Select(p => p.Value.GetProperty("average_precision").GetDouble()).Average();
        Assert.Equal(folds, root.GetProperty("prequential").GetProperty("average_precision").GetDouble(), 5);
        Assert.Contains("prequential mean", output, StringComparison.Ordinal);
        var scenarios = single.GetProperty("scenarios");
        Assert.Equal(single.GetProperty("test_frauds").GetInt32(), scenarios.EnumerateObject().Where(s => !s.Name.EndsWith("_first_week", StringComparison.Ordinal)).Sum(s => s.Value.GetProperty("frauds").GetInt32()));
        Assert.InRange(scenarios.GetProperty("2_first_week").GetProperty("frauds").GetInt32(), 1, scenarios.GetProperty("2").GetProperty("frauds").GetInt32() - 1);
        Assert.All(scenarios.EnumerateObject(), s => Assert.InRange(s.Value.GetProperty("auc_roc").GetDouble(), 0, 1));
        Assert.True(root.GetProperty("prequential").TryGetProperty("scenarios", out _), "the prequential mean has its scenarios");
        Assert.Contains("by fraud scenario", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "train", "--model", "svm", "--out", "m.json", "--data", "x.csv" }, "invalid --model 'svm': expected lr, gbt or iforest")]
    [InlineData(new[] { "train", "--model", "lr", "--data", "x.csv" }, "vigil train needs --out MODEL.json")]
    [InlineData(new[] { "evaluate", "--model", "lr", "--data", "x.csv" }, "give --protocol handbook or random70")]
    [InlineData(new[] { "evaluate", "--model", "missing.json", "--data", "x.csv" }, "cannot read model 'missing.json'")]
    [InlineData(new[] { "evaluate", "--model", "lr", "--protocol", "kfold" }, "invalid --protocol 'kfold'")]
    [InlineData(new[] { "evaluate", "--model", "lr", "--protocol", "random70", "--report", "r.pdf" }, "name a .json, .html or .md file")]
    [InlineData(new[] { "train", "--model", "gbt", "--out", "m.json", "--learning-rate", "2" }, "--learning-rate")]
    [InlineData(new[] { "train", "--model", "gbt", "--out", "m.json", "--review-cost", "5" }, "--missed-fraud-cost and --review-cost go together")]
    [InlineData(new[] { "train", "--model", "gbt", "--out", "m.json", "--alerts-per-day", "50", "--missed-fraud-cost", "100", "--review-cost", "5" }, "choose the threshold by --alerts-per-day or by --missed-fraud-cost and --review-cost, not both")]
    [InlineData(new[] { "train", "--model", "lr", "--out", "m.json", "--alerts-per-day", "50", "--threshold", "0.5" }, "--threshold sets the threshold itself")]
    [InlineData(new[] { "train", "--model", "iforest", "--out", "m.json", "--alerts-per-day", "50" }, "an isolation forest flags its --contamination share")]
    [InlineData(new[] { "train", "--model", "gbt", "--out", "m.json", "--alerts-per-day", "-1" }, "invalid --alerts-per-day '-1'")]
    public async Task Bad_flags_get_one_line_and_exit_code_2(string[] args, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_input_is_named()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["train", "--data", Ulb, "--model", "lr", "--out", Path.Combine(Directory, "m.json"), "--inputs", "V1,V99"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("unknown input V99", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Features_is_another_name_for_inputs()
    {
        var model = Path.Combine(Directory, "m.json");

        var (exitCode, _, error) = await CliRunner.RunAsync(["train", "--data", Ulb, "--model", "lr", "--out", model, "--features", "V14,V4,Amount"]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(["V14", "V4", "Amount"], ModelJson.Deserialize(File.ReadAllText(model)).Inputs);
    }
}
