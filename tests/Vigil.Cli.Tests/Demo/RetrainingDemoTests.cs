using System.Collections;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vigil.Cli.Tests.Commands;
using Vigil.Learning.Retraining;
using Vigil.Runtime.Quality;
using Vigil.Store;
using Vigil.Store.Audit;
using Vigil.Store.Models;

namespace Vigil.Cli.Tests.Demo;

/// <summary>The demo without a model: it trains its own, from its decisions and their labels.</summary>
public sealed class RetrainingDemoTests : IDisposable
{
    /// <summary>Days of the small simulation long enough for its features to stop moving (the 30-day counters fill up) and a model fitted on verdicts after that to be judged.</summary>
    private const int DaysToStable = 70;

    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-retraining-demo-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    private Task<(int ExitCode, string Out, string Error)> Demo(int days, params string[] more) => CliRunner.RunAsync([.. SmallDemo(days, DataDirectory), .. more]);

    /// <summary>The small simulation at full speed, its models kept in <paramref name="dataDirectory"/>: runs of one seed train the same models.</summary>
    private static string[] SmallDemo(int days, string dataDirectory) =>
        ["demo", "--days", $"{days}", "--customers", "1500", "--terminals", "3000", "--rate", "max", "--no-dashboard", "--seed", "7", "--data-dir", dataDirectory];

    [Fact]
    public async Task Without_a_model_the_demo_trains_judges_and_promotes_its_own_and_decides_with_them()
    {
        var report = Path.Combine(_directory, "quality.json");
        var output = Path.Combine(_directory, "out");

        var (exitCode, text, error) = await Demo(28, "--report", report, "--out", output);

        Assert.True(exitCode == 0, error);
        Assert.Contains("models:    trained here from the decisions and their labels", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var retraining = json.RootElement.GetProperty("retraining");
        var models = retraining.GetProperty("models").EnumerateArray().ToList();
        Assert.InRange(models.Count, 2, 3);
        var promoted = models.Where(m => m.TryGetProperty("verdict", out var verdict) && verdict.GetProperty("promoted").GetBoolean()).Select(m => m.GetProperty("version").GetString()!).ToList();
        Assert.NotEmpty(promoted);
        Assert.Matches($"retraining +{models.Count} trained · {promoted.Count} promoted · deciding at the end: {promoted[^1]}", text);
        foreach (var model in models)
        {
            Assert.Contains($"{model.GetProperty("version").GetString()} · trained ", text, StringComparison.Ordinal);
        }

        // Every model is kept where --data-dir says: in the database with the states the report has, its file beside it.
        var list = Directory.GetFiles(Path.Combine(DataDirectory, "models"), "models.json", SearchOption.AllDirectories).Single();
        Assert.Equal(models.Select(m => m.GetProperty("version").GetString()), ModelFolder.Read(list).Select(m => m.Version));
        using var database = VigilDatabase.Open(DataDirectory);
        var registered = DatabaseModelRegistry.List(database);
        Assert.Equal(models.Select(m => (m.GetProperty("version").GetString(), m.GetProperty("state").GetString())), registered.Select(m => ((string?)m.Model.Version, (string?)m.Model.State.ToString().ToLowerInvariant())));
        Assert.Single(registered.Select(m => m.Run).Distinct());
        Assert.All(registered, m => Assert.True(File.Exists(m.Model.Path)));
        Assert.Contains($"models kept   {database.Location} (run {registered[0].Run})", text, StringComparison.Ordinal);

        // vigil models lists them from the database, with the deciding one.
        var (listed, listing, listError) = await CliRunner.RunAsync(["models", "--data-dir", DataDirectory]);
        Assert.True(listed == 0, listError);
        Assert.Contains($"{registered.Count} models in 1 run", listing, StringComparison.Ordinal);
        Assert.All(registered, m => Assert.Contains(m.Model.Version, listing, StringComparison.Ordinal));
        Assert.Contains($"deciding since {DateTimeOffset.FromUnixTimeMilliseconds(registered.Single(m => m.Model.State == ModelState.Champion).Model.JudgedAtMs!.Value):yyyy-MM-dd}", listing, StringComparison.Ordinal);

        // Decisions made after the first promotion carry the model's version; none before it.
        var decided = Directory.GetFiles(output, "streaming.transactions.*.jsonl").SelectMany(File.ReadLines)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("vigil").GetProperty("versions"))
            .Count(v => v.TryGetProperty("model", out var version) && promoted.Contains(version.GetString()!));
        Assert.True(decided > 10_000, $"{decided} decisions by a promoted model");
    }

    [Fact]
    public async Task The_same_seed_decides_the_same_at_any_speed_even_when_models_take_over_while_detection_lags()
    {
        // Two runs at once, one also writing every decision to files (a slower detector, other timings at each stop).
        var (first, second) = (Path.Combine(_directory, "first.json"), Path.Combine(_directory, "second.json"));
        var runs = await Task.WhenAll(
            CliRunner.RunAsync([.. SmallDemo(24, Path.Combine(_directory, "data-1")), "--report", first]),
            CliRunner.RunAsync([.. SmallDemo(24, Path.Combine(_directory, "data-2")), "--report", second, "--out", Path.Combine(_directory, "out")]));
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Error));

        using var a = JsonDocument.Parse(await File.ReadAllTextAsync(first));
        using var b = JsonDocument.Parse(await File.ReadAllTextAsync(second));
        foreach (var part in new[] { "confusion_matrix", "scenarios", "decided", "flagged" })
        {
            Assert.Equal(a.RootElement.GetProperty(part).GetRawText(), b.RootElement.GetProperty(part).GetRawText());
        }

        static IEnumerable<string> Models(JsonDocument report) => report.RootElement.GetProperty("retraining").GetProperty("models").EnumerateArray()
            .Select(m => $"{m.GetProperty("version").GetString()} {m.GetProperty("state").GetString()} {m.GetProperty("threshold").GetDouble()} {(m.TryGetProperty("judged_at_ms", out var judged) ? judged.GetInt64() : 0)}");
        Assert.NotEmpty(Models(a));
        Assert.Equal(Models(a), Models(b));
    }

    [Fact]
    public async Task With_train_on_verdicts_models_are_fitted_on_the_analysts_verdicts_once_the_stream_is_stable_and_judged_on_what_came_after()
    {
        var report = Path.Combine(_directory, "quality.json");

        var (exitCode, text, error) = await Demo(DaysToStable, "--investigators", "30", "--train-on-verdicts", "true", "--report", report);

        Assert.True(exitCode == 0, error);
        Assert.Contains("of labels and the analysts' verdicts since (each judged on what is decided after its training)", Regex.Replace(text, @"\s+", " "), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var judged = json.RootElement.GetProperty("retraining").GetProperty("models").EnumerateArray()
            .Where(m => m.TryGetProperty("judged_at_ms", out _))
            .ToDictionary(m => m.GetProperty("version").GetString()!, m => TimeSpan.FromMilliseconds(m.GetProperty("judged_at_ms").GetInt64() - m.GetProperty("trained_at_ms").GetInt64()));
        using var database = VigilDatabase.Open(DataDirectory);
        var (fitted, leftOut) = (0, 0);
        foreach (var (_, model) in DatabaseModelRegistry.List(database))
        {
            // The model file says what it learned from: the reports' window, and the verdicts of the days after it or why not.
            using var file = JsonDocument.Parse(await File.ReadAllTextAsync(model.Path!));
            var training = file.RootElement.GetProperty("training");
            var data = training.GetProperty("data").GetString()!;
            Assert.Equal(model.Rows, training.GetProperty("rows").GetInt32());
            var verdicts = Regex.Match(data, @", ([\d,]+) labelled by analysts' verdicts$");
            if (verdicts.Success)
            {
                // Judged only on what was decided after its training, once reported: 7 days of lag, then the 3 of evaluation.
                fitted++;
                Assert.True(model.ToMs > model.TrainedAtMs - TimeSpan.FromDays(3).TotalMilliseconds, "the verdicts reach past the reports, which lag 7 days");
                Assert.True(!judged.TryGetValue(model.Version, out var after) || after >= TimeSpan.FromDays(9.5), $"{model.Version} judged {after} after its training");
            }
            else
            {
                // While the 30-day counters fill up, the days after the reports do not look like them.
                leftOut++;
                Assert.Matches(@", the analysts' verdicts left out: the days since moved from these \([a-z_0-9/]+ PSI \d+\.\d\d, at most 0\.10 taken\)$", data);
                Assert.True(!judged.TryGetValue(model.Version, out var after) || after < TimeSpan.FromDays(9), $"{model.Version} judged {after} after its training");
            }
        }

        Assert.True(fitted > 0 && leftOut > 0, $"{fitted} models fitted on verdicts, {leftOut} without");
    }

    [Fact]
    public async Task Alerts_per_day_or_costs_set_each_self_trained_model_s_threshold_instead_of_the_best_f1()
    {
        // Three runs at once on the same stream: the same training rows, so the same trees, and only the thresholds differ.
        var runs = await Task.WhenAll(
            CliRunner.RunAsync(SmallDemo(28, Path.Combine(_directory, "f1"))),
            CliRunner.RunAsync([.. SmallDemo(28, Path.Combine(_directory, "capacity")), "--alerts-per-day", "2"]),
            CliRunner.RunAsync([.. SmallDemo(28, Path.Combine(_directory, "cost")), "--missed-fraud-cost", "100", "--review-cost", "1"]));
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Error));
        Assert.Contains("; thresholds set for at most 2 alerts a day", Regex.Replace(runs[1].Out, @"\s+", " "), StringComparison.Ordinal);
        Assert.Contains("; thresholds set for the least cost at 100 a missed fraud and 1 a review", Regex.Replace(runs[2].Out, @"\s+", " "), StringComparison.Ordinal);
        Assert.DoesNotContain("thresholds set for", runs[0].Out, StringComparison.Ordinal);

        static async Task<Dictionary<int, (double Threshold, string? Choice)>> Models(string directory)
        {
            using var database = VigilDatabase.Open(directory);
            var models = new Dictionary<int, (double, string?)>();
            foreach (var (_, model) in DatabaseModelRegistry.List(database))
            {
                using var file = JsonDocument.Parse(await File.ReadAllTextAsync(model.Path!));
                var parameters = file.RootElement.GetProperty("training").GetProperty("parameters");
                models[model.Number] = (model.Threshold, parameters.TryGetProperty("threshold_choice", out var choice) ? choice.GetString() : null);
            }

            return models;
        }

        var best = await Models(Path.Combine(_directory, "f1"));
        var capacity = await Models(Path.Combine(_directory, "capacity"));
        var cost = await Models(Path.Combine(_directory, "cost"));
        Assert.NotEmpty(best);
        Assert.Equal(best.Keys, capacity.Keys);
        Assert.All(best.Values, m => Assert.Null(m.Choice));
        Assert.All(capacity, m => Assert.Equal("at most 2 alerts a day", m.Value.Choice));
        Assert.All(cost.Values, m => Assert.Equal("the least cost at 100 a missed fraud and 1 a review", m.Choice));

        // Two alerts a day flag fewer than the best F1 does on a stream with about a dozen frauds a day: a higher threshold.
        Assert.All(capacity, m => Assert.True(m.Value.Threshold > best[m.Key].Threshold, $"model {m.Key}: {m.Value.Threshold} against {best[m.Key].Threshold}"));
    }

    [Fact]
    public async Task On_the_Kafka_mock_cluster_the_loop_trains_and_judges_the_same_models_as_embedded()
    {
        static List<(string Model, double ChallengerF1, double ChampionF1)> Models(string report)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(report));
            return [.. json.RootElement.GetProperty("retraining").GetProperty("models").EnumerateArray().Select(m => (
                $"{m.GetProperty("version")} {m.GetProperty("rows")} {m.GetProperty("frauds")} {m.GetProperty("state")}",
                m.GetProperty("verdict").GetProperty("challenger_f1").GetDouble(),
                m.GetProperty("verdict").GetProperty("champion_f1").GetDouble()))];
        }

        var embedded = Path.Combine(_directory, "embedded.json");
        var kafka = Path.Combine(_directory, "kafka.json");

        var (exitCode, _, error) = await Demo(24, "--report", embedded);
        Assert.True(exitCode == 0, error);
        (exitCode, var text, error) = await Demo(24, "--report", kafka, "--kafka", "mock");
        Assert.True(exitCode == 0, error);

        // The same training rows, so the same models and the same promotions. The F1s may move a little: a verdict counts
        // the labels whose row has come by then, and over Kafka a label can reach the terminal risk features a little
        // later than embedded, so a few feature values differ (0.036 seen once on a loaded machine).
        Assert.Contains("Kafka mock cluster", text, StringComparison.Ordinal);
        var (left, right) = (Models(embedded), Models(kafka));
        Assert.Equal(2, left.Count);
        Assert.Equal(left.Select(m => m.Model), right.Select(m => m.Model));
        Assert.All(left.Zip(right), p =>
        {
            Assert.Equal(p.First.ChallengerF1, p.Second.ChallengerF1, 0.05);
            Assert.Equal(p.First.ChampionF1, p.Second.ChampionF1, 0.05);
        });
    }

    [Fact]
    public async Task Retrain_false_decides_with_the_rules_alone_and_keeps_no_model()
    {
        var report = Path.Combine(_directory, "quality.json");

        var (exitCode, text, error) = await Demo(12, "--retrain", "false", "--report", report);

        Assert.True(exitCode == 0, error);
        Assert.DoesNotContain("retraining    ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("models:", text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(DataDirectory, "models")));
        using (var database = VigilDatabase.Open(DataDirectory)) // kept for the cases its alerts opened
        {
            Assert.Empty(DatabaseModelRegistry.List(database));
        }

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.False(json.RootElement.TryGetProperty("retraining", out _));
    }

    [Fact]
    public async Task Retraining_waits_for_labels_and_says_so()
    {
        var (exitCode, text, error) = await Demo(5);

        Assert.True(exitCode == 0, error);
        Assert.Contains("retraining    no model trained: rules decide alone; the first model trains once labels span 2 d with 50 frauds (now 0 d, 0)", text, StringComparison.Ordinal);
        using var database = VigilDatabase.Open(DataDirectory);
        Assert.Empty(DatabaseModelRegistry.List(database));
        Assert.False(Directory.Exists(Path.Combine(DataDirectory, "models")));
        var (listed, list, _) = await CliRunner.RunAsync(["models", "--data-dir", DataDirectory]);
        Assert.Equal(0, listed);
        Assert.Contains("0 models in 0 runs", list, StringComparison.Ordinal);
        (listed, list, _) = await CliRunner.RunAsync(["models", "--data-dir", Path.Combine(_directory, "elsewhere")]);
        Assert.Equal(0, listed);
        Assert.Contains("no models yet: ", list, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory, "elsewhere")));
    }

    [Theory]
    [InlineData(new[] { "--retrain", "maybe" }, "vigil: invalid --retrain 'maybe': expected true or false")]
    [InlineData(new[] { "--retrain-every", "12h" }, "vigil: invalid --retrain-every '12h': models are trained at most once a day of event time; expected 1d or more")]
    [InlineData(new[] { "--retrain-every", "weekly" }, "vigil: invalid --retrain-every 'weekly': expected a duration such as 7d, 36h, 90m, 30s or 0")]
    [InlineData(new[] { "--train-on-verdicts", "yes" }, "vigil: invalid --train-on-verdicts 'yes': expected true or false")]
    [InlineData(new[] { "--missed-fraud-cost", "100" }, "vigil: --missed-fraud-cost and --review-cost go together: the threshold weighs one against the other")]
    [InlineData(new[] { "--alerts-per-day", "20", "--review-cost", "1", "--missed-fraud-cost", "100" }, "vigil: choose the threshold by --alerts-per-day or by --missed-fraud-cost and --review-cost, not both")]
    [InlineData(new[] { "--alerts-per-day", "-3" }, "vigil: invalid --alerts-per-day '-3': expected a number of alerts a day, 0 or more")]
    [InlineData(new[] { "--training-window", "0" }, "vigil: invalid --training-window '0': a model needs at least a day of labelled transactions; expected 1d or more")]
    public async Task Wrong_retraining_settings_are_one_line_and_exit_code_2(string[] args, string expected)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["demo", "--no-dashboard", .. args]);

        Assert.Equal(2, exitCode);
        Assert.Equal(expected, error.Trim());
    }

    [Fact]
    public async Task A_data_directory_whose_database_is_not_one_is_refused()
    {
        Directory.CreateDirectory(DataDirectory);
        var path = Path.Combine(DataDirectory, VigilDatabase.FileName);
        await File.WriteAllTextAsync(path, "not a database, and long enough to have a header of its own to be refused.");

        var (exitCode, _, error) = await Demo(3);

        Assert.Equal(2, exitCode);
        Assert.Equal($"vigil: --data-dir {DataDirectory}: {path} is not a SQLite database", error.Trim());
    }

    [Fact]
    public async Task A_data_directory_that_is_a_file_is_refused()
    {
        var file = Path.Combine(_directory, "a-file");
        await File.WriteAllTextAsync(file, "not a directory");

        var (exitCode, _, error) = await CliRunner.RunAsync(["demo", "--no-dashboard"], new Hashtable { ["VIGIL_DATA__DIRECTORY"] = file });

        Assert.Equal(2, exitCode);
        Assert.Equal($"vigil: invalid VIGIL_DATA__DIRECTORY '{file}': it is a file, expected a directory", error.Trim());
    }

    [Fact]
    public async Task An_analyst_promotes_the_challenger_by_hand_on_the_running_demo_and_the_registry_and_the_audit_trail_name_her()
    {
        const string AnalystKey = "analyst-key-0123456789abcdef", ViewKey = "view-key-0123456789abcdef";
        using var demo = CliProcesses.Start(
            ["demo", "--days", "21", "--customers", "1500", "--terminals", "3000", "--speed", "43200", "--port", "0", "--seed", "7", "--data-dir", DataDirectory],
            new() { ["VIGIL_API_KEYS"] = $"analyst:alice={AnalystKey},view={ViewKey}" });
        try
        {
            var address = await CliProcesses.DashboardAddressAsync(demo, Timeout);
            Assert.NotNull(address);
            var output = demo.StandardOutput.ReadToEndAsync();
            using var viewer = Client(ViewKey);
            using var analyst = Client(AnalystKey);

            // The first challenger comes about ten simulated days in (some 20 s at this pace).
            int? challenger = null;
            for (var deadline = DateTime.UtcNow + Timeout; challenger is null && DateTime.UtcNow < deadline && !demo.HasExited; await Task.Delay(200))
            {
                using var models = JsonDocument.Parse(await viewer.GetStringAsync(new Uri(address, "api/models")));
                challenger = models.RootElement.TryGetProperty("challenger", out var number) ? number.GetInt32() : null;
            }

            Assert.NotNull(challenger);
            var promote = new Uri(address, $"api/models/{challenger}/promote");
            using (var refused = await viewer.PostAsJsonAsync(promote, new { note = "a viewer tries" }))
            {
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            }

            using (var promoted = await analyst.PostAsJsonAsync(promote, new { note = "caught the week's frauds" }))
            {
                var answer = await promoted.Content.ReadAsStringAsync();
                Assert.True(promoted.IsSuccessStatusCode, answer);
                using var json = JsonDocument.Parse(answer);
                Assert.Equal("champion", json.RootElement.GetProperty("model").GetProperty("state").GetString());
            }

            using (var again = await analyst.PostAsJsonAsync(promote, new { note = "twice" }))
            {
                Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            }

            Assert.True(demo.WaitForExit(Timeout), "the demo did not finish");
            var text = await output;
            Assert.Equal(0, demo.ExitCode);

            // The registry keeps the verdict and the change of state; the audit trail who did it and why.
            using var database = VigilDatabase.Open(DataDirectory);
            var (run, model) = DatabaseModelRegistry.List(database).Single(m => m.Model.Number == challenger);
            Assert.StartsWith("promoted by hand by alice (caught the week's frauds); F1 ", model.Verdict!.Reason, StringComparison.Ordinal);
            Assert.Contains(DatabaseModelRegistry.History(database, run, model.Number), e => e is { Before: "challenger", After: "champion" } && e.Detail == model.Verdict.Reason);
            Assert.Contains(new AuditTrail(database, run).Read(), a => a is { Actor: "alice", Action: "promote", Before: "challenger", After: "champion", Note: "caught the week's frauds" }
                && a.Subject == $"model {challenger}");
            Assert.Contains($"promoted by hand by alice", text, StringComparison.Ordinal);
            var (listed, audit, listError) = await CliRunner.RunAsync(["cases", "--data-dir", DataDirectory, "--audit", "true"]);
            Assert.True(listed == 0, listError);
            Assert.Matches($@"alice +│? *promote +│? *model {challenger} +│? *challenger → champion", audit.Replace("|", " ", StringComparison.Ordinal));
        }
        finally
        {
            if (!demo.HasExited)
            {
                demo.Kill();
            }
        }
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static HttpClient Client(string key)
    {
        var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
