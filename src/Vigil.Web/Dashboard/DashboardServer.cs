using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigil.Web.Hosting;
using Vigil.Web.Scoring;
using Vigil.Web.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.Web.Dashboard;

/// <summary>
/// The dashboard's web server: the page at <c>/</c>, the event stream at <c>/events</c>, status at <c>/api/status</c>,
/// and, when the pipeline runs a model, the scoring routes (<c>/v1/score</c>, <c>/invocations</c>, <c>/v1/model</c>);
/// with cases, the review queue's routes (<c>/api/cases</c>).
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EventFeed _feed;

    /// <param name="logs">Where failures are logged; standard error when null.</param>
    /// <param name="metrics">Served on <c>/metrics</c>; none when null.</param>
    /// <param name="routes">Maps further routes (the review queue's); none when null.</param>
    public DashboardServer(
        DashboardOptions options, EventFeed feed, ScoringEndpoints? scoring = null, ILoggerProvider? logs = null, Metrics.ServiceMetrics? metrics = null,
        Action<Microsoft.AspNetCore.Routing.IEndpointRouteBuilder>? routes = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _feed = feed;
        try
        {
            _app = LocalWebApp.Create(options.Host, options.Port, allowedHosts: options.AllowedHosts, logs: logs, security: options.Security, metrics: metrics);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Dashboard {e.Message}", nameof(options), e);
        }

        _app.MapGet("/", () => Asset("index.html", "text/html; charset=utf-8"));
        _app.MapGet("/dashboard.js", () => Asset("dashboard.js", "text/javascript; charset=utf-8"));
        _app.MapGet("/dashboard.css", () => Asset("dashboard.css", "text/css; charset=utf-8"));
        _app.MapGet("/review.js", () => Asset("review.js", "text/javascript; charset=utf-8"));
        _app.MapGet("/events", StreamEventsAsync);
        _app.MapGet("/api/status", () => Results.Bytes(_feed.StatusJson(), "application/json"));
        _app.MapGet("/healthz", () => Results.Text("ok"));
        Operations.OperationsServer.MapReadiness(_app, () => Operations.Readiness.Yes("serving the dashboard"));
        _app.MapGet("/login", () => Asset("login.html", "text/html; charset=utf-8"));
        _app.MapGet("/login.css", () => Asset("login.css", "text/css; charset=utf-8"));
        _app.MapPost("/login", SignInAsync);
        scoring?.Map(_app);
        routes?.Invoke(_app);
    }

    /// <summary>Requests refused for want of a valid key with the right role.</summary>
    public long AuthFailures => _app.Services.GetRequiredService<ApiAccess>().Failures;

    /// <summary>Where the dashboard listens, once started (e.g. <c>http://127.0.0.1:8080</c>).</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Starts listening; fails with <see cref="IOException"/> when the port is taken.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        Address = LocalWebApp.Address(_app);
    }

    /// <summary>Ends the browsers' streams and stops the server.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _feed.Close();
        await _app.StopAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task StreamEventsAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var client = _feed.Connect();
        try
        {
            await response.WriteAsync("retry: 2000\n\n", context.RequestAborted);
            var reader = client.Reader;
            while (await reader.WaitToReadAsync(context.RequestAborted))
            {
                while (reader.TryRead(out var message))
                {
                    await response.Body.WriteAsync(message, context.RequestAborted);
                }

                await response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away.
        }
        finally
        {
            _feed.Disconnect(client);
        }
    }

    /// <summary>The sign-in form's key: one that may view sets the cookie and sends the browser to the dashboard; otherwise 401 or 403.</summary>
    private async Task SignInAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status415UnsupportedMediaType, "send the sign-in form (application/x-www-form-urlencoded)");
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (_app.Services.GetRequiredService<ApiAccess>().SignIn(context, form["key"].ToString()) is { } refused)
        {
            await LocalWebApp.ErrorAsync(context.Response, refused.Status, refused.Reason);
            return;
        }

        context.Response.Redirect("/", permanent: false);
    }

    private static IResult Asset(string name, string contentType)
    {
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Vigil.Web.wwwroot." + name)
                     ?? throw new InvalidOperationException($"The dashboard asset {name} is missing from the build.");
        return Results.Stream(stream, contentType);
    }
}
