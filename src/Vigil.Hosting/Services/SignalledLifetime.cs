using Microsoft.Extensions.Hosting;

namespace Vigil.Hosting.Services;

/// <summary>
/// A host lifetime that leaves signals to the caller: the command line already turns the first Ctrl+C into a drain and
/// the second into an abort, which the console lifetime's own handler would take from it.
/// </summary>
public sealed class SignalledLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
