using OpenQA.Selenium.Chrome;

namespace Vigil.Testing;

/// <summary>Real headless Chromium driven by Selenium (Debian's chromium and chromium-driver), with its own profile folder.</summary>
public static class HeadlessChromium
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    /// <param name="profile">An empty folder for the browser's profile; the caller deletes it.</param>
    public static ChromeDriver Start(string profile)
    {
        Assert.True(File.Exists(Chromium) && File.Exists(ChromeDriver),
            "Chromium is missing: install the Debian packages chromium and chromium-driver (./test.sh does, as root).");
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1280,1400", $"--user-data-dir={profile}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
