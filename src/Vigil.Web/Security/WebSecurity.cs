using System.Security.Cryptography.X509Certificates;

namespace Vigil.Web.Security;

/// <summary>How a Vigil web server guards itself: API keys and their roles, HTTPS, and whether it may be exposed without keys.</summary>
public sealed class WebSecurity
{
    public static WebSecurity None { get; } = new();

    public ApiKeys Keys { get; init; } = ApiKeys.None;

    /// <summary>Serve an address other than loopback with no key (<c>--insecure</c>): anyone who reaches it gets in.</summary>
    public bool Insecure { get; init; }

    /// <summary>Serve HTTPS with this certificate (its private key included); plain HTTP when null.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Whether <c>/metrics</c> answers without a key (a Prometheus on a trusted network).</summary>
    public bool OpenMetrics { get; init; }

    /// <summary>Why this server may not listen on <paramref name="address"/> (another than loopback, with no key and not insecure), or null.</summary>
    public string? Refuses(System.Net.IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Keys.IsEmpty && !Insecure && !System.Net.IPAddress.IsLoopback(address)
            ? $"serving {address} with no API key would let anyone who reaches it in: set VIGIL_API_KEYS (role=key,…; roles score, view, admin), or pass --insecure"
            : null;
    }

    /// <summary>The one line a command prints about who may use its server.</summary>
    public string Describe()
    {
        var keys = Keys.IsEmpty
            ? Insecure ? "no API key, and --insecure: anyone who reaches it gets in" : "no API key: loopback only (set VIGIL_API_KEYS to require keys and serve other addresses)"
            : $"{Keys.Count} API key{(Keys.Count == 1 ? string.Empty : "s")} required (roles score, view, admin)";
        return keys + (Certificate is null ? " · HTTP" : $" · HTTPS ({Certificate.GetNameInfo(X509NameType.SimpleName, false)})");
    }
}
