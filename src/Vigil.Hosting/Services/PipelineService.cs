using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vigil.Hosting.Transports;
using Vigil.Runtime.Sources;

namespace Vigil.Hosting.Services;

/// <summary>
/// Runs a topology's transport as a hosted service: starts it (its outputs' readers already subscribed), publishes the
/// source until it ends, the duration passes or the host stops, then decides every record in flight and waits for the
/// readers to read the outputs to their end; then stops the host. A stop drains, it never abandons records. The first
/// failure of any part ends the run at once (a failed reader would otherwise hold everything back for ever through
/// backpressure) and faults <see cref="Completion"/>, which is where the failure is reported: the service itself ends
/// without an error, so that the host does not report it a second time.
/// </summary>
public sealed class PipelineService(
    IPipelineTransport transport,
    SourcePublisher publisher,
    IEnumerable<OutputReader> readers,
    IOptions<PipelineRunOptions> options,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the run has ended; faults with the first failure.</summary>
    public Task Completion => _done.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
            _done.TrySetResult();
        }
        catch (Exception e)
        {
            // Reported once, by whoever awaits the completion, not again by the host.
            _done.TrySetException(e);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var reading = readers.Select(r => r.RunAsync()).ToList();
        await transport.StartAsync();
        // The host stops the source either way: its stop (StopAsync), or a request to stop (StopApplication: Ctrl+C).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        if (options.Value.Duration is { } duration)
        {
            deadline.CancelAfter(duration);
        }

        var steps = StepsAsync(deadline.Token);
        var watched = new List<Task>(reading) { transport.Completion, steps };
        while (true)
        {
            var done = await Task.WhenAny(watched);
            if (done == steps || done.IsFaulted)
            {
                await done;
                return;
            }

            watched.Remove(done);
        }

        async Task StepsAsync(CancellationToken stop)
        {
            await publisher.RunAsync(stop);
            await transport.DrainAsync();
            await Task.WhenAll(reading);
        }
    }
}
