using Spectre.Console;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Topics;
using Vigil.Web.Dashboard;
using Vigil.Web.Scoring;

namespace Vigil.Cli.Services;

/// <summary>Starts the dashboard for a command, or explains in one line why it cannot.</summary>
public static class DashboardHosting
{
    /// <returns>The running feed and server, or null when the port cannot be used (the reason is printed).</returns>
    public static async Task<(EventFeed Feed, DashboardServer Server)?> StartAsync(
        DashboardOptions options, Topic legit, Topic fraud, Func<PipelineStatus> status, IAnsiConsole console, CancellationToken cancellationToken,
        TransactionScorer? scorer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var feed = new EventFeed(legit, fraud, status, options);
        var server = new DashboardServer(options, feed, scorer is null ? null : new ScoringEndpoints(scorer));
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
