using Microsoft.Extensions.Hosting;

namespace Vigil.Hosting.Services;

/// <summary>
/// The main work of a host: a pipeline run, or a service such as a Kafka detector. When it ends, it stops the host.
/// Its failure faults <see cref="Completion"/>, which is where it is reported: the service itself ends without an
/// error, so that the host does not report it a second time.
/// </summary>
public abstract class HostedRun(IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the work has ended (or the host stopped before it began); faults with its failure.</summary>
    public Task Completion => _done.Task;

    protected IHostApplicationLifetime Lifetime => lifetime;

    /// <summary>The work; <paramref name="stoppingToken"/> is cancelled when the host stops.</summary>
    protected abstract Task RunAsync(CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
            _done.TrySetResult();
        }
        catch (Exception e)
        {
            _done.TrySetException(e);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // A host stopped before the thread pool ran the work cancels it unstarted (BackgroundService runs it through
        // Task.Run with the stopping token): nothing ran, and whoever waits for the completion must not wait for ever.
        _done.TrySetResult();
    }
}
