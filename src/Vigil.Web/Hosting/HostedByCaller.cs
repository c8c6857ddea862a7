using Microsoft.Extensions.Hosting;

namespace Vigil.Web.Hosting;

/// <summary>The caller owns the process's lifetime (Ctrl+C, shutdown order); a web host must not.</summary>
internal sealed class HostedByCaller : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
