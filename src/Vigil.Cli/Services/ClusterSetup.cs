using Spectre.Console;

namespace Vigil.Cli.Services;

/// <summary>
/// Makes a service's Kafka clients (metadata and offsets calls that wait up to 30 s for a cluster that does not answer)
/// off the caller's thread, and gives up at once on Ctrl+C or SIGTERM: a stop is not held by a cluster that is down.
/// </summary>
public static class ClusterSetup
{
    /// <returns>What <paramref name="make"/> made, or null when stopped first (said in one line).</returns>
    public static async Task<T?> MakeAsync<T>(Func<T> make, string title, string servers, IAnsiConsole console, CancellationToken stop)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(console);
        try
        {
            return await Task.Run(make, CancellationToken.None).WaitAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            console.MarkupLine($"[red]{Markup.Escape(title)} stopped (signal) before the Kafka cluster at {Markup.Escape(servers)} answered[/]");
            return null;
        }
    }
}
