using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vigil.Web.Hosting;
using Vigil.Web.Security;

namespace Vigil.Web.Operations;

/// <summary>
/// The operations port of a service that has no web server of its own (<c>vigil detect --metrics-port</c>):
/// <c>GET /healthz</c> (the process answers), <c>GET /readyz</c> (200 or 503 with what it is ready with or waits for),
/// as orchestrators probe them, and <c>GET /metrics</c> for Prometheus.
/// </summary>
public sealed class OperationsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    /// <param name="readiness">Asked on each <c>/readyz</c>; cheap and thread-safe.</param>
    /// <exception cref="ArgumentException">The host is not an IP address, or not loopback with no key and not insecure.</exception>
    /// <param name="metrics">Served on <c>/metrics</c>; none when null.</param>
    public OperationsServer(string host, int port, Func<Readiness> readiness, WebSecurity? security = null, ILoggerProvider? logs = null, Metrics.ServiceMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(readiness);
        _app = LocalWebApp.Create(host, port, logs: logs, security: security, metrics: metrics);
        _app.MapGet("/healthz", () => Results.Text("ok"));
        MapReadiness(_app, readiness);
    }

    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary><c>GET /readyz</c>: 200 <c>{"ready":true,"detail":…}</c>, or 503 with <c>"ready":false</c>.</summary>
    public static void MapReadiness(WebApplication app, Func<Readiness> readiness)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(readiness);
        app.MapGet("/readyz", () =>
        {
            var now = readiness();
            return Results.Json(new { ready = now.Ready, detail = now.Detail }, statusCode: now.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }

    /// <summary>Starts listening; fails with <see cref="IOException"/> when the port is taken.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        Address = LocalWebApp.Address(_app);
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
