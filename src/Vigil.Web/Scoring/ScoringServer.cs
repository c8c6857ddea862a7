using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vigil.Web.Hosting;

namespace Vigil.Web.Scoring;

/// <summary>
/// The model server: <c>POST /invocations</c> as MLflow's scoring server answers it, <c>POST /v1/score</c> for one
/// transaction with its reasons, <c>GET /v1/model</c> and <c>GET /healthz</c>. Bad requests are 400, bodies over
/// 1 MiB 413, always with <c>{"error":"…"}</c>.
/// </summary>
public sealed class ScoringServer : IAsyncDisposable
{
    public const int MaxBodyBytes = 1 << 20;

    private readonly WebApplication _app;

    /// <param name="allowedHosts">Host names answered besides the address's own; "*" for any.</param>
    /// <param name="logs">Where failures are logged; standard error when null.</param>
    public ScoringServer(string host, int port, TransactionScorer scorer, IReadOnlyList<string>? allowedHosts = null, ILoggerProvider? logs = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        _app = LocalWebApp.Create(host, port, kestrel => kestrel.Limits.MaxRequestBodySize = MaxBodyBytes + 1, allowedHosts, logs);
        new ScoringEndpoints(scorer).Map(_app);
        _app.MapGet("/healthz", () => Results.Text("ok"));
        _app.MapGet("/ping", () => Results.Text("ok"));
    }

    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        Address = LocalWebApp.Address(_app);
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
