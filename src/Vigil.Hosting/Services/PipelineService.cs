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
/// backpressure) and faults <see cref="HostedRun.Completion"/>.
/// </summary>
public sealed class PipelineService(
    IPipelineTransport transport,
    SourcePublisher publisher,
    IEnumerable<OutputReader> readers,
    IOptions<PipelineRunOptions> options,
    IHostApplicationLifetime lifetime) : HostedRun(lifetime)
{
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var reading = readers.Select(r => r.RunAsync()).ToList();
        await transport.StartAsync();
        // The host stops the source either way: its stop (StopAsync), or a request to stop (StopApplication: Ctrl+C).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, Lifetime.ApplicationStopping);
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
