using Microsoft.Extensions.Hosting;

namespace Vigil.Hosting.Services;

/// <summary>A loop beside the pipeline that runs until the host stops: watching a model file or a rules file or topic.</summary>
public sealed class HostedLoop(Func<CancellationToken, Task> loop) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => loop(stoppingToken);
}
