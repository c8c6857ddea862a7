using Microsoft.Extensions.Hosting;

namespace Vigil.Alerts;

/// <summary>
/// The dispatcher's channels as a hosted service: they send from the host's start and drain at its stop. Registered
/// before the pipeline's service, it stops after it, so every fraud decision read has been offered by then.
/// </summary>
public sealed class AlertService(AlertDispatcher dispatcher) : IHostedService
{
    private Task _sending = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _sending = dispatcher.RunAsync();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => dispatcher.CompleteAsync(_sending);
}
