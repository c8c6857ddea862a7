using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Vigil.Transactions;
using Vigil.Web.Metrics;
using Vigil.Web.Security;

namespace Vigil.Web.Hosting;

/// <summary>
/// The web applications Vigil hosts (dashboard, model server): Kestrel on one address, the caller owning the lifetime,
/// only the Host names of that address served, and errors logged to standard error.
/// </summary>
internal static partial class LocalWebApp
{
    private static readonly Microsoft.Extensions.Primitives.StringValues NoSniff = "nosniff";
    private static readonly Microsoft.Extensions.Primitives.StringValues Deny = "DENY";
    private static readonly Microsoft.Extensions.Primitives.StringValues NoReferrer = "no-referrer";
    private static readonly Microsoft.Extensions.Primitives.StringValues ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <param name="allowedHosts">Host names served besides the bound address's own; "*" serves any.</param>
    /// <param name="logs">Where errors are logged; standard error when null.</param>
    /// <param name="security">API keys, HTTPS; none (loopback only) when null. The app's <see cref="ApiAccess"/> is a service.</param>
    /// <param name="metrics">Served on <c>GET /metrics</c> (role view, or open with <c>Security:OpenMetrics</c>), with the refused requests added; none when null.</param>
    /// <exception cref="ArgumentException">The host is not an IP address (or <c>localhost</c>), or is not loopback while no API key is set and not <see cref="WebSecurity.Insecure"/>.</exception>
    public static WebApplication Create(
        string host, int port, Action<KestrelServerOptions>? configure = null, IReadOnlyList<string>? allowedHosts = null, ILoggerProvider? logs = null,
        WebSecurity? security = null, ServiceMetrics? metrics = null)
    {
        if (!IPAddress.TryParse(host, out var address))
        {
            address = host == "localhost" ? IPAddress.Loopback : throw new ArgumentException($"host '{host}' is not an IP address", nameof(host));
        }

        security ??= WebSecurity.None;
        if (security.Refuses(address) is { } refused)
        {
            throw new ArgumentException(refused, nameof(host));
        }

        // The content root is ours, not the working directory: a user's appsettings.json there must not configure us.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Error);

        // Hosting opens a log scope for every request once any level is on (824 bytes a request, measured); it logs
        // nothing Vigil needs, as the middleware below logs each failure itself.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        if (logs is null)
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        }
        else
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddSingleton<IHostLifetime, HostedByCaller>();
        var access = new ApiAccess(security);
        builder.Services.AddSingleton(access);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port, listen =>
            {
                if (security.Certificate is { } certificate)
                {
                    listen.UseHttps(certificate);
                }
            });
            configure?.Invoke(kestrel);
        });
        var app = builder.Build();
        var served = ServedHosts(address, allowedHosts ?? []);
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Vigil.Web");
        var accepted = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        app.Use((context, next) => ServeAsync(context, next, served, accepted, access, log));
        if (metrics is not null)
        {
            metrics.Counter("vigil_http_auth_failures_total", "Requests refused for a missing, unknown or insufficient API key", ["reason"],
                () => access.FailuresByReason().Select(f => (new[] { f.Reason }, (double)f.Count)));
            metrics.Map(app);
        }

        return app;
    }

    /// <summary>Where a started application listens (e.g. <c>http://127.0.0.1:8080/</c>), the port resolved when 0 was asked.</summary>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>
    /// The Host names served: a loopback address's names, or the bound address, and those allowed besides; null for any
    /// (an address bound on every interface, or "*"). A page elsewhere that points a name of its own at this address
    /// (DNS rebinding) is refused.
    /// </summary>
    internal static HashSet<string>? ServedHosts(IPAddress address, IReadOnlyList<string> allowed)
    {
        if (allowed.Contains("*") || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return null;
        }

        var served = new HashSet<string>(allowed, StringComparer.OrdinalIgnoreCase);
        served.Add(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString());
        if (IPAddress.IsLoopback(address))
        {
            served.UnionWith(["localhost", "127.0.0.1", "[::1]"]);
        }

        return served;
    }

    /// <param name="accepted">Host header values already found served (a few: the names and their ports), so that a request costs no substring.</param>
    private static async Task ServeAsync(
        HttpContext context, RequestDelegate next, HashSet<string>? served, ConcurrentDictionary<string, bool> accepted, ApiAccess access, ILogger log)
    {
        // What a browser fetches (pages, assets, the event stream, status: GETs) is not to be framed, sniffed or to load
        // from elsewhere. The scoring API's POST answers skip these four headers: no browser renders them, and they cost
        // a few percent of /v1/score's throughput.
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = NoSniff;
            headers.XFrameOptions = Deny;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = NoReferrer;
        }

        var host = context.Request.Host;
        if (served is not null && host.HasValue && !accepted.ContainsKey(host.Value))
        {
            if (!served.Contains(host.Host))
            {
                await ErrorAsync(context.Response, StatusCodes.Status400BadRequest,
                    $"this server does not serve the host name {TransactionLimits.Show(host.Host)} (allow it with --allowed-hosts)");
                return;
            }

            if (accepted.Count < 64)
            {
                accepted.TryAdd(host.Value, true);
            }
        }

        try
        {
            if (await access.AdmitAsync(context))
            {
                await next(context);
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // The client's request is broken (a body that cannot be read): its fault, answered and not logged.
            await ErrorAsync(context.Response, e.StatusCode, $"the request cannot be read: {e.Message}");
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogFailure(log, e, context.Request.Method, context.Request.Path);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await ErrorAsync(context.Response, StatusCodes.Status500InternalServerError, $"internal error ({e.GetType().Name}); it is logged on the server");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed with 500")]
    private static partial void LogFailure(ILogger log, Exception exception, string method, PathString path);

    /// <summary>Answers <c>{"error":"…"}</c> with the status.</summary>
    internal static async Task ErrorAsync(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }

        response.ContentLength = output.Length;
        await response.Body.WriteAsync(output.ToArray());
    }
}
