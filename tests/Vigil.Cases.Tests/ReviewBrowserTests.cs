using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Vigil.Store.Cases;
using Vigil.Testing;

namespace Vigil.Cases.Tests;

/// <summary>The review queue on the dashboard, in real headless Chromium.</summary>
public sealed class ReviewBrowserTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-review-browser-").FullName;
    private readonly string _profile = Directory.CreateTempSubdirectory("vigil-chromium-").FullName;

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        Directory.Delete(_profile, recursive: true);
    }

    [Fact]
    public async Task An_analyst_opens_the_queue_opens_the_riskiest_case_marks_it_fraud_and_sees_the_verdict_counted()
    {
        await using var desk = await ReviewDesk.StartAsync(_directory, capacity: 2);
        var riskiest = desk.Review.List(new CaseQuery()).Cases[0];
        using var browser = HeadlessChromium.Start(_profile);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30)) { PollingInterval = TimeSpan.FromMilliseconds(200) };
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException)); // the queue's rows are redrawn every 3 s

        browser.Navigate().GoToUrl(desk.Server.Address);
        wait.Until(b => b.FindElement(By.Id("review")).Displayed && b.FindElements(By.CssSelector("#case-rows tr")).Count > 0);

        // Read in one go: the rows are redrawn every 3 s.
        var rows = ((IReadOnlyCollection<object>)((IJavaScriptExecutor)browser).ExecuteScript(
                "return [...document.querySelectorAll('#case-rows tr')].map(r => r.cells[0].textContent + '|' + r.className);")!)
            .Select(r => ((string)r).Split('|')).ToList();
        Assert.Equal($"#{riskiest.Id}", rows[0][0]);
        Assert.DoesNotContain("beyond", rows[1][1], StringComparison.Ordinal);
        Assert.Contains("beyond", rows[2][1], StringComparison.Ordinal); // past today's capacity of 2, still listed
        Assert.Equal("0", browser.FindElement(By.Id("cases-fraud")).Text);
        Assert.StartsWith("capacity 2 a day", browser.FindElement(By.Id("cases-beyond")).Text, StringComparison.Ordinal);

        wait.Until(b =>
        {
            b.FindElements(By.CssSelector("#case-rows tr"))[0].Click();
            return true;
        });
        wait.Until(b => b.FindElement(By.Id("case")).Displayed && b.FindElement(By.Id("case-id")).Text == $"#{riskiest.Id}");
        Assert.Equal(riskiest.Alerts, browser.FindElements(By.CssSelector("#case-alerts tr")).Count);
        Assert.Contains("amount >= 220", browser.FindElement(By.Id("case-alerts")).Text, StringComparison.Ordinal);

        // Each alert's features, folded: the card's and the terminal's recent history in numbers.
        var features = browser.FindElement(By.CssSelector("#case-alerts tr details"));
        Assert.Equal("22 features", features.FindElement(By.TagName("summary")).Text);
        features.FindElement(By.TagName("summary")).Click();
        wait.Until(_ => features.FindElement(By.TagName("dl")).Displayed);
        Assert.Contains("customer_nb_tx_7d", features.FindElement(By.TagName("dl")).Text, StringComparison.Ordinal);
        Assert.Contains("terminal_risk_30d", features.FindElement(By.TagName("dl")).Text, StringComparison.Ordinal);
        browser.FindElement(By.Id("case-note")).SendKeys("the card holder denies it");
        var screenshot = Path.Combine(AppContext.BaseDirectory, "review.png");
        ((IJavaScriptExecutor)browser).ExecuteScript("document.getElementById('review').scrollIntoView()");
        browser.GetScreenshot().SaveAsFile(screenshot);
        Assert.True(new FileInfo(screenshot).Length > 10_000);
        browser.FindElement(By.Id("mark-fraud")).Click();

        wait.Until(b => b.FindElement(By.Id("cases-fraud")).Text == "1");
        wait.Until(b => b.FindElement(By.Id("case-message")).Text.StartsWith("decided fraud", StringComparison.Ordinal));
        Assert.StartsWith("decided fraud by local: the card holder denies it", browser.FindElement(By.Id("case-state")).Text, StringComparison.Ordinal);
        Assert.False(browser.FindElement(By.Id("mark-fraud")).Enabled);
        Assert.Contains("local · decide: open → fraud · the card holder denies it", browser.FindElement(By.Id("case-audit")).Text, StringComparison.Ordinal);
        Assert.Equal(CaseStatus.Fraud, desk.Review.Find(riskiest.Id)!.Case.Status);
        Assert.Equal(riskiest.Id, Assert.Single(desk.Verdicts.Given).Case.Id);

        // The decided case leaves the open queue; the fraud filter shows it.
        wait.Until(b => !b.FindElements(By.CssSelector("#case-rows tr")).Any(r => r.Text.StartsWith($"#{riskiest.Id} ", StringComparison.Ordinal)));
        browser.FindElement(By.CssSelector("#case-status option[value=fraud]")).Click();
        wait.Until(b => b.FindElements(By.CssSelector("#case-rows tr")).Count == 1 && b.FindElement(By.CssSelector("#case-rows tr")).Text.Contains("fraud (local)", StringComparison.Ordinal));
    }
}
