namespace Vigil.Web.Dashboard;

/// <summary>Settings of the live dashboard (configuration section <c>Dashboard</c>).</summary>
public sealed class DashboardOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>The address to listen on; loopback by default, so nothing is exposed by accident.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>API keys and HTTPS; with no key, only a loopback address is served (unless insecure).</summary>
    public Vigil.Web.Security.WebSecurity Security { get; set; } = Vigil.Web.Security.WebSecurity.None;

    /// <summary>Host names answered besides the address's own; "*" for any.</summary>
    public IReadOnlyList<string> AllowedHosts { get; set; } = [];

    /// <summary>The port to listen on; 0 picks a free one.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>Legit transactions shown per second, sampled evenly from the stream whatever its rate.</summary>
    public double EventsPerSecond { get; set; } = 25;

    /// <summary>Frauds shown per second: every one up to this, with a second of burst; what is over it is counted.</summary>
    public double FraudEventsPerSecond { get; set; } = 25;

    /// <summary>Messages that may wait for one browser before it misses some.</summary>
    public int ClientQueueCapacity { get; set; } = 256;
}
