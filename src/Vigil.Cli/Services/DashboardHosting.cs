using Microsoft.Extensions.Logging;
using Spectre.Console;
using Vigil.Cli.Logging;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Topics;
using Vigil.Web.Dashboard;
using Vigil.Web.Metrics;
using Vigil.Web.Scoring;

namespace Vigil.Cli.Services;

/// <summary>Starts the dashboard for a command, or explains in one line why it cannot.</summary>
public static class DashboardHosting
{
    /// <param name="logs">Where the server's failures are logged.</param>
    /// <param name="metrics">Served on the dashboard's <c>/metrics</c>, with the scoring routes' counts when a scorer is given.</param>
    /// <param name="routes">Further routes (the review queue's); none when null.</param>
    /// <returns>The running feed and server, or null when the port cannot be used (the reason is printed).</returns>
    public static async Task<(EventFeed Feed, DashboardServer Server)?> StartAsync(
        DashboardOptions options, Topic legit, Topic fraud, Func<PipelineStatus> status, IAnsiConsole console, ILoggerFactory logs, ServiceMetrics metrics,
        TransactionScorer? scorer, CancellationToken cancellationToken, Action<Microsoft.AspNetCore.Routing.IEndpointRouteBuilder>? routes = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var feed = new EventFeed(legit, fraud, status, options);
        var scoring = scorer is null ? null : new ScoringEndpoints(scorer);
        if (scoring is not null)
        {
            ScoringMetrics.Add(metrics, scorer!, scoring);
        }

        var server = new DashboardServer(options, feed, scoring, new ForwardingLogProvider(logs), metrics, routes);
        try
        {
            await server.StartAsync(cancellationToken);
            return (feed, server);
        }
        catch (IOException e)
        {
            await server.DisposeAsync();
            console.MarkupLine($"[red]vigil: cannot serve the dashboard on {Markup.Escape(options.Host)}:{options.Port}: {Markup.Escape(e.Message)} (choose another --port, or --no-dashboard)[/]");
            return null;
        }
    }

    public static async Task StopAsync(DashboardServer? server)
    {
        if (server is not null)
        {
            await server.StopAsync(CancellationToken.None);
            await server.DisposeAsync();
        }
    }
}
