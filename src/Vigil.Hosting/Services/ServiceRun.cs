using Microsoft.Extensions.Hosting;

namespace Vigil.Hosting.Services;

/// <summary>
/// The main work of a service process (a Kafka detector, the feature service): it runs until the host stops or is
/// asked to (Ctrl+C, SIGTERM: the token <paramref name="run"/> gets), finishes its in-flight work as it does on a stop,
/// then stops the host.
/// </summary>
/// <param name="until">Also stops the work: the command line's signal or deadline.</param>
public sealed class ServiceRun(Func<CancellationToken, Task> run, IHostApplicationLifetime lifetime, CancellationToken until = default) : HostedRun(lifetime)
{
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, Lifetime.ApplicationStopping, until);
        await run(stop.Token);
    }
}
