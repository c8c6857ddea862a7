using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Vigil.Testing;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Quality;

namespace Vigil.Web.Tests;

/// <summary>The dashboard in real headless Chromium (Debian's chromium and chromium-driver).</summary>
public sealed class DashboardBrowserTests : IDisposable
{
    private static readonly JsonSerializerOptions ReadRows = new() { PropertyNameCaseInsensitive = true };
    private readonly string _profile = Directory.CreateTempSubdirectory("vigil-chromium-").FullName;

    public void Dispose() => Directory.Delete(_profile, recursive: true);

    private ChromeDriver StartBrowser() => HeadlessChromium.Start(_profile);

    [Fact]
    public async Task Dashboard_page_connects_and_shows_fraud_rows_in_red_and_legit_rows_in_green()
    {
        await using var demo = await LiveDemo.StartAsync(rate: 2000);
        using var browser = StartBrowser();

        browser.Navigate().GoToUrl(demo.Server.Address);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30)) { PollingInterval = TimeSpan.FromMilliseconds(200) };
        wait.Until(b => b.FindElements(By.CssSelector("#rows tr.fraud")).Count > 0 && b.FindElements(By.CssSelector("#rows tr.legit")).Count > 0);
        wait.Until(b => b.FindElement(By.Id("processed")).Text != "0");

        Assert.Equal("live", browser.FindElement(By.Id("connection")).Text);
        var fraud = ReadRow(wait, "#rows tr.fraud");
        var legit = ReadRow(wait, "#rows tr.legit");
        Assert.Equal("rgba(179, 38, 30, 1)", fraud.Color);
        Assert.Equal("rgba(30, 123, 52, 1)", legit.Color);
        Assert.Contains("FRAUD", fraud.Text, StringComparison.Ordinal);
        Assert.Contains("amount >= 900", fraud.Text, StringComparison.Ordinal);
        Assert.Contains("LEGIT", legit.Text, StringComparison.Ordinal);
        Assert.StartsWith("newest first · every fraud", browser.FindElement(By.Id("sampling")).Text, StringComparison.Ordinal);
        Assert.Matches(@"^[\d.]+ / [\d.]+$", browser.FindElement(By.Id("latency")).Text);
        Assert.Contains(browser.FindElement(By.Id("latency-unit")).Text, new[] { "ms", "s" });
        var amount = double.Parse(fraud.Amount.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(amount >= 900);

        // Newest first and bounded: the list never grows past its limit however long it runs.
        wait.Until(b => b.FindElements(By.CssSelector("#rows tr")).Count >= 20);
        Assert.InRange(browser.FindElements(By.CssSelector("#rows tr")).Count, 20, 100);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "dashboard.png");
        browser.GetScreenshot().SaveAsFile(screenshot);
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }

    [Fact]
    public async Task With_api_keys_a_person_signs_in_with_a_view_key_and_the_dashboard_then_streams()
    {
        const string ViewKey = "view-key-0123456789abcdef";
        var security = new Vigil.Web.Security.WebSecurity { Keys = Vigil.Web.Security.ApiKeys.Parse($"view={ViewKey},score=score-key-0123456789abcdef", "test") };
        await using var demo = await LiveDemo.StartAsync(rate: 2000, options: new Vigil.Web.Dashboard.DashboardOptions { Port = 0, EventsPerSecond = 50, Security = security });
        using var browser = StartBrowser();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30)) { PollingInterval = TimeSpan.FromMilliseconds(200) };

        browser.Navigate().GoToUrl(demo.Server.Address);
        wait.Until(b => b.Url.EndsWith("/login", StringComparison.Ordinal));
        browser.FindElement(By.Id("key")).SendKeys("score-key-0123456789abcdef"); // a key, but not one that may view
        browser.FindElement(By.CssSelector("form button")).Click();
        wait.Until(b => b.PageSource.Contains("cannot open the dashboard: it needs role view, analyst or admin", StringComparison.Ordinal));
        Assert.Empty(browser.Manage().Cookies.AllCookies);

        browser.Navigate().GoToUrl(new Uri(demo.Server.Address, "login"));
        browser.FindElement(By.Id("key")).SendKeys(ViewKey);
        browser.FindElement(By.CssSelector("form button")).Click();
        wait.Until(b => b.FindElements(By.Id("processed")).Count > 0 && b.FindElement(By.Id("processed")).Text != "0");
        wait.Until(b => b.FindElements(By.CssSelector("#rows tr")).Count > 0);

        Assert.Equal("live", browser.FindElement(By.Id("connection")).Text);
        Assert.DoesNotContain(browser.Manage().Cookies.AllCookies, c => !c.IsHttpOnly); // the key is out of scripts' reach
    }

    private sealed record RowView(string Text, string Color, string Amount);

    private sealed record InstanceRow(string ClassName, string[] Cells, string[][] Tasks);

    /// <summary>Reads one row whole; rows leave the bounded list as new ones arrive, so a row gone stale is looked up again.</summary>
    private static RowView ReadRow(WebDriverWait wait, string selector)
    {
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
        return wait.Until(b =>
        {
            var row = b.FindElement(By.CssSelector(selector));
            return new RowView(row.Text, row.GetCssValue("color"), row.FindElement(By.CssSelector("td.amount")).Text);
        });
    }

    [Fact]
    public async Task With_labels_the_dashboard_shows_precision_recall_and_the_confusion_matrix()
    {
        var shadow = new Vigil.Models.LogisticModel(["amount"], [0], [1], [1], intercept: -100, threshold: 0.5) { Version = "lr-shadow" };
        await using var demo = await LiveDemo.StartAsync(rate: 5000, simulated: true, shadow: shadow);
        using var browser = StartBrowser();

        browser.Navigate().GoToUrl(demo.Server.Address);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30)) { PollingInterval = TimeSpan.FromMilliseconds(200) };
        wait.Until(b => b.FindElement(By.Id("quality")).Displayed && b.FindElement(By.Id("tp")).Text != "0" && b.FindElement(By.Id("tn")).Text != "0");

        Assert.EndsWith(" %", browser.FindElement(By.Id("precision")).Text, StringComparison.Ordinal);
        Assert.EndsWith(" %", browser.FindElement(By.Id("recall")).Text, StringComparison.Ordinal);
        Assert.Matches(@"^0\.\d{3}$", browser.FindElement(By.Id("f1")).Text);
        Assert.Contains("labelled", browser.FindElement(By.Id("quality-note")).Text, StringComparison.Ordinal);
        Assert.Contains("event time 2018-", browser.FindElement(By.Id("quality-note")).Text, StringComparison.Ordinal);
        // The scenario list is rebuilt on every update, so it is read in one script call rather than through an element that may go stale.
        var scenario = wait.Until(b => (string?)((IJavaScriptExecutor)b).ExecuteScript("return document.querySelector('#scenarios li')?.textContent ?? null;"));
        Assert.StartsWith("scenario ", scenario, StringComparison.Ordinal);
        wait.Until(b => b.FindElement(By.Id("shadow")).Displayed);
        Assert.Equal("lr-shadow", browser.FindElement(By.Id("shadow-version")).Text);
        Assert.Equal("rules builtin:amount>=220 · model lr-silent", browser.FindElement(By.Id("versions")).Text);
        Assert.Matches(@"^precision [\d.]+ % · recall [\d.]+ % · F1 [\d.]+ · would flag", browser.FindElement(By.Id("shadow-quality")).Text);
        browser.GetScreenshot().SaveAsFile(Path.Combine(AppContext.BaseDirectory, "dashboard-quality.png"));
    }

    [Fact]
    public async Task The_models_panel_shows_which_model_decides_the_challenger_maturity_drift_and_every_verdict()
    {
        static long Day(int day) => new DateTimeOffset(2018, 4, 1, 0, 0, 0, TimeSpan.Zero).AddDays(day).ToUnixTimeMilliseconds();
        var won = new Verdict("rules", 29_000, 160, 0.635, 0.532, 0.8, 0.52, 1, 0.36, true, "F1 0.635 against 0.532 for rules");
        var lost = new Verdict("auto-002-20180419", 28_900, 207, 0.66, 0.67, 0.8, 0.56, 0.81, 0.57, false, "F1 0.660 does not beat auto-002-20180419's 0.670 by 0.010");
        var retraining = new RetrainingStatus(
            "model 4 in shadow; judged on the labels maturing from 2018-05-03 to 2018-05-06",
            [
                new ModelRecord(1, "auto-001-20180412", "gbt", Day(11), 38_395, 62, Day(0), Day(3), 0.31) { State = ModelState.Rejected, JudgedAtMs = Day(14), Verdict = won with { Promoted = false, Reason = "F1 0.515 does not beat rules's 0.579 by 0.010" } },
                new ModelRecord(2, "auto-002-20180419", "gbt", Day(18), 106_152, 294, Day(0), Day(11), 0.306) { State = ModelState.Champion, JudgedAtMs = Day(21), Verdict = won },
                new ModelRecord(3, "auto-003-20180426", "gbt", Day(25), 135_471, 640, Day(4), Day(18), 0.385) { State = ModelState.Rejected, JudgedAtMs = Day(28), Verdict = lost },
                new ModelRecord(4, "auto-004-20180503", "gbt", Day(32), 135_470, 897, Day(11), Day(25), 0.389),
            ],
            LabelMaturity: 0.538,
            ScoreDrift: 0.15,
            FeatureDrift: [new InputDrift("terminal_risk_7d", 0.31), new InputDrift("tx_amount", 0.02)],
            History: [.. Enumerable.Range(0, 30).Select(d => new QualityPoint(Day(d), d < 21 ? "rules" : "auto-002-20180419", 9_600, 80, d < 21 ? 1 : 0.85, d < 21 ? 0.3 : 0.65))],
            RowsHeld: 300_000,
            RowsDropped: 0,
            TradeOff: [new TradeOffPoint(0.9, 12, 0.97, 0.3), new TradeOffPoint(0.5, 40, 0.88, 0.6), new TradeOffPoint(0.306, 70, 0.8, 0.68), new TradeOffPoint(0.1, 400, 0.2, 0.8)]);
        // A stand-in for the route that promotes a model by hand (Vigil.Cases' ModelEndpoints): it keeps what it was sent.
        var promotions = new List<(string? Number, string? Note)>();
        await using var demo = await LiveDemo.StartAsync(rate: 1000, simulated: true, retraining: retraining, routes: routes => routes.MapPost("/api/models/{number}/promote", async context =>
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var note = body.RootElement.GetProperty("note").GetString();
            lock (promotions)
            {
                promotions.Add((context.Request.RouteValues["number"] as string, note));
            }

            await context.Response.WriteAsJsonAsync(new
            {
                model = new { number = 4, version = "auto-004-20180503", state = "champion", verdict = new { reason = $"promoted by hand by local ({note}); F1 0.700 against 0.670 for auto-002-20180419" } },
                replaced = new { number = 2, version = "auto-002-20180419", state = "retired" },
            });
        }));
        using var browser = StartBrowser();

        browser.Navigate().GoToUrl(demo.Server.Address);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30)) { PollingInterval = TimeSpan.FromMilliseconds(200) };
        wait.Until(b => b.FindElement(By.Id("models")).Displayed);

        Assert.Equal("auto-002-20180419", browser.FindElement(By.Id("champion")).Text);
        Assert.Equal("since 2018-04-22", browser.FindElement(By.Id("champion-since")).Text);
        Assert.Equal("auto-004-20180503", browser.FindElement(By.Id("challenger")).Text);
        Assert.Equal("53.8 %", browser.FindElement(By.Id("maturity")).Text);
        Assert.Equal("0.150", browser.FindElement(By.Id("score-drift")).Text);
        Assert.Equal("tile shift", browser.FindElement(By.Id("drift-tile")).GetAttribute("class"));
        Assert.Contains("terminal_risk_7d 0.310", browser.FindElement(By.Id("feature-drift")).Text, StringComparison.Ordinal);
        Assert.StartsWith("model 4 in shadow", browser.FindElement(By.Id("models-state")).Text, StringComparison.Ordinal);
        var rows = (IReadOnlyCollection<object>)((IJavaScriptExecutor)browser).ExecuteScript(
            "return [...document.querySelectorAll('#model-rows tr')].map(r => r.className + ' | ' + r.textContent);")!;
        Assert.Equal(4, rows.Count);
        Assert.StartsWith("challenger | auto-004-20180503", (string)rows.First(), StringComparison.Ordinal);
        Assert.Contains("champion | auto-002-20180419", rows.Cast<string>().ElementAt(2), StringComparison.Ordinal);
        Assert.Contains("deciding", rows.Cast<string>().ElementAt(2), StringComparison.Ordinal);
        Assert.Contains("does not beat auto-002-20180419's 0.670 by 0.010 (207 frauds matured)", rows.Cast<string>().ElementAt(1), StringComparison.Ordinal);

        // Both charts are drawn: some of their pixels are the recall line's blue.
        foreach (var chart in new[] { "model-chart", "tradeoff-chart" })
        {
            var blue = (long)((IJavaScriptExecutor)browser).ExecuteScript(
                $"const c = document.getElementById('{chart}'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;" +
                "for (let i = 0; i < d.length; i += 4) if (d[i] === 47 && d[i + 1] === 111 && d[i + 2] === 222) n++; return n;")!;
            Assert.True(blue > 20, $"{chart}: {blue} blue pixels");
        }

        // Every model but the deciding one can be promoted by hand: the button asks for a note, sends it, and says what decides now.
        var buttons = (IReadOnlyCollection<object>)((IJavaScriptExecutor)browser).ExecuteScript(
            "return [...document.querySelectorAll('#model-rows button')].map(b => b.dataset.model);")!;
        Assert.Equal(["4", "3", "1"], buttons.Cast<string>());
        Assert.False(browser.FindElement(By.Id("promote-form")).Displayed);
        ((IJavaScriptExecutor)browser).ExecuteScript("document.querySelector('#model-rows button[data-model=\"4\"]').click();"); // rows are redrawn every second
        wait.Until(b => b.FindElement(By.Id("promote-form")).Displayed);
        Assert.Equal("auto-004-20180503", browser.FindElement(By.Id("promote-version")).Text);
        browser.FindElement(By.Id("promote-note")).SendKeys("catches the new pattern");
        browser.FindElement(By.Id("promote-confirm")).Click();
        wait.Until(b => b.FindElement(By.Id("promote-message")).Text.Length > 0);

        Assert.Equal("auto-004-20180503 decides from now on; auto-002-20180419 retired: promoted by hand by local (catches the new pattern); F1 0.700 against 0.670 for auto-002-20180419",
            browser.FindElement(By.Id("promote-message")).Text);
        Assert.False(browser.FindElement(By.Id("promote-form")).Displayed);
        lock (promotions)
        {
            Assert.Equal(("4", "catches the new pattern"), Assert.Single(promotions));
        }

        browser.GetScreenshot().SaveAsFile(Path.Combine(AppContext.BaseDirectory, "dashboard-models.png"));
    }

    [Fact]
    public async Task Without_labels_the_quality_panel_stays_hidden()
    {
        await using var demo = await LiveDemo.StartAsync(rate: 2000);
        using var browser = StartBrowser();

        browser.Navigate().GoToUrl(demo.Server.Address);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30)) { PollingInterval = TimeSpan.FromMilliseconds(200) };
        wait.Until(b => b.FindElement(By.Id("processed")).Text != "0");

        Assert.False(browser.FindElement(By.Id("quality")).Displayed);
        Assert.False(browser.FindElement(By.Id("instances")).Displayed);
        Assert.False(browser.FindElement(By.Id("models")).Displayed);
    }

    [Fact]
    public async Task The_instances_panel_shows_which_tasks_each_instance_owns_with_their_lag_and_restore()
    {
        var now = DateTimeOffset.UtcNow;
        InstanceSighting[] instances =
        [
            new(new InstanceStatus("detect", "vigil-detectors", "detector-1", now, 5_000, [new TaskState("0", "running", 12), new TaskState("1", "running", 0)]), TimeSpan.FromSeconds(2)),
            new(new InstanceStatus("features", "vigil-features", "member-a", now, 1_234_567,
                [new TaskState("2", "running", 4_321, RestoreSeconds: 1.25), new TaskState("5", "restoring", 0, RestoreShare: 0.4)]), TimeSpan.FromSeconds(1)),
            new(new InstanceStatus("features", "vigil-features", "member-b", now, 10, []) { Stopped = true }, TimeSpan.FromSeconds(3)),
            new(new InstanceStatus("features", "vigil-features", "member-c", now, 10, [new TaskState("7", "running", 0)]), TimeSpan.FromSeconds(40)),
        ];
        await using var demo = await LiveDemo.StartAsync(rate: 1000, instances: instances);
        using var browser = StartBrowser();

        browser.Navigate().GoToUrl(demo.Server.Address);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30)) { PollingInterval = TimeSpan.FromMilliseconds(200) };
        wait.Until(b => b.FindElement(By.Id("instances")).Displayed && b.FindElements(By.CssSelector("#instance-rows tr")).Count == 4);

        // The rows are rebuilt on every update, so they are read in one script call rather than through elements that may go stale.
        var table = (string)((IJavaScriptExecutor)browser).ExecuteScript("""
            return JSON.stringify([...document.querySelectorAll('#instance-rows tr')].map(row => ({
              className: row.className,
              cells: [...row.children].map(cell => cell.textContent),
              tasks: [...row.querySelectorAll('span.task')].map(task => [task.textContent, getComputedStyle(task).color]),
            })));
            """)!;
        var rows = JsonSerializer.Deserialize<InstanceRow[]>(table, ReadRows)!;
        Assert.Equal(["detect", "vigil-detectors", "detector-1", "5,000"], rows[0].Cells.Take(4));
        Assert.Equal(["0 · lag 12", "1 · lag 0"], rows[0].Tasks.Select(t => t[0]));
        Assert.Equal(["2 · lag 4,321 · restored in 1.3 s", "5 restoring 40 %"], rows[1].Tasks.Select(t => t[0]));
        Assert.Equal(["rgb(30, 123, 52)", "rgb(138, 83, 0)"], rows[1].Tasks.Select(t => t[1]));
        Assert.Equal("1,234,567", rows[1].Cells[3]);
        Assert.Equal(("none (handed over)", "stopped", "stopped"), (rows[2].Cells[4], rows[2].Cells[5], rows[2].ClassName));
        Assert.Equal(("silent for 40 s", "silent"), (rows[3].Cells[5], rows[3].ClassName));
        Assert.Equal(("1 s ago", "live"), (rows[1].Cells[5], rows[1].ClassName));
        browser.GetScreenshot().SaveAsFile(Path.Combine(AppContext.BaseDirectory, "dashboard-instances.png"));
    }
}
