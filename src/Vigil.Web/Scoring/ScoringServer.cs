using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Web.Hosting;
using Vigil.Web.Security;

namespace Vigil.Web.Scoring;

/// <summary>
/// The model server: <c>POST /invocations</c> (JSON or CSV), <c>GET /ping</c>, <c>/health</c> and <c>/version</c> as
/// MLflow's scoring server answers them, <c>POST /v1/score</c> for one transaction with its reasons, <c>GET /v1/model</c>
/// and <c>GET /healthz</c>. Bad requests are 400, bodies over 1 MiB 413, other content types 415, always with
/// <c>{"error":"…"}</c>.
/// </summary>
public sealed class ScoringServer : IAsyncDisposable
{
    public const int MaxBodyBytes = 1 << 20;

    private readonly WebApplication _app;

    /// <param name="allowedHosts">Host names answered besides the address's own; "*" for any.</param>
    /// <param name="logs">Where failures are logged; standard error when null.</param>
    /// <param name="security">API keys and HTTPS; none (loopback only) when null.</param>
    /// <param name="metrics">Served on <c>/metrics</c> with the scorer's counts; none when null.</param>
    public ScoringServer(
        string host, int port, TransactionScorer scorer, IReadOnlyList<string>? allowedHosts = null, ILoggerProvider? logs = null, WebSecurity? security = null,
        Metrics.ServiceMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        _app = LocalWebApp.Create(host, port, kestrel => kestrel.Limits.MaxRequestBodySize = MaxBodyBytes + 1, allowedHosts, logs, security, metrics);
        var endpoints = new ScoringEndpoints(scorer);
        endpoints.Map(_app);
        if (metrics is not null)
        {
            Metrics.ScoringMetrics.Add(metrics, scorer, endpoints);
            metrics.Gauge("vigil_model_info", "The model answering now", ["version"], () => [([scorer.Model.Version], 1)]);
        }

        _app.MapGet("/healthz", () => Results.Text("ok"));
        Operations.OperationsServer.MapReadiness(_app, () => Operations.Readiness.Yes($"model {scorer.Model.Version}"));

        // MLflow's scoring server answers these three; its clients and load balancers probe them.
        _app.MapGet("/ping", () => Results.Text("ok"));
        _app.MapGet("/health", () => Results.Text("ok"));
        _app.MapGet("/version", () => Results.Text(Version));
    }

    /// <summary>Vigil's version, as <c>GET /version</c> answers it (MLflow's answers its own).</summary>
    public static string Version { get; } =
        typeof(ScoringServer).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            is [System.Reflection.AssemblyInformationalVersionAttribute attribute, ..] ? attribute.InformationalVersion : "unknown";

    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        Address = LocalWebApp.Address(_app);
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Requests refused for want of a valid key with the right role.</summary>
    public long AuthFailures => _app.Services.GetRequiredService<ApiAccess>().Failures;

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
