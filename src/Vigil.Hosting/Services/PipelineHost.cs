using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigil.Hosting.Transports;
using Vigil.Runtime.Sources;

namespace Vigil.Hosting.Services;

/// <summary>The composition of a pipeline run with Microsoft.Extensions.Hosting: the host's settings, and the pipeline's services.</summary>
public static class PipelineHost
{
    /// <summary>
    /// A host for a pipeline run or a service: no configuration sources or logging providers of its own (the caller's
    /// settings are read already; every category logs to <paramref name="log"/>), signals left to the caller
    /// (<see cref="SignalledLifetime"/>), and no shutdown timeout, since a stop drains every record in flight.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(ILogger log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var builder = CreateEmpty();
        builder.Logging.AddProvider(new OneLogger(log));
        return builder;
    }

    /// <summary>A host as <see cref="CreateBuilder(ILogger)"/>, whose services log through the caller's factory (its providers and levels by category).</summary>
    public static HostApplicationBuilder CreateBuilder(ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var builder = CreateEmpty();
        builder.Services.AddSingleton(logs);
        return builder;
    }

    private static HostApplicationBuilder CreateEmpty()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IHostLifetime, SignalledLifetime>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = Timeout.InfiniteTimeSpan);
        return builder;
    }

    /// <summary>Adds the main work of a service process (<see cref="ServiceRun"/>, also as itself, for its completion).</summary>
    /// <param name="until">Also stops the work: the command line's signal or deadline.</param>
    public static IServiceCollection AddServiceRun(this IServiceCollection services, Func<CancellationToken, Task> run, CancellationToken until = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(provider => new ServiceRun(run, provider.GetRequiredService<IHostApplicationLifetime>(), until));
        services.AddHostedService(provider => provider.GetRequiredService<ServiceRun>());
        return services;
    }

    /// <summary>
    /// Builds the host of a service, starts it and waits until its <see cref="ServiceRun"/> ends, then stops it (the
    /// loops beside it end); the run's failure is thrown once the host stopped.
    /// </summary>
    /// <param name="watch">Shows the service while it runs (a live status); it gets the run's completion.</param>
    public static async Task RunServiceAsync(this HostApplicationBuilder builder, Func<Task, Task>? watch = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        using var host = builder.Build();
        var run = host.Services.GetRequiredService<ServiceRun>();
        await host.StartAsync();
        try
        {
            if (watch is not null)
            {
                await watch(run.Completion);
            }

            await run.Completion;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>Adds a loop beside the pipeline that runs until the host stops (<see cref="HostedLoop"/>), as many as asked.</summary>
    /// <remarks>
    /// Not <c>AddHostedService</c>: it adds a hosted service once per implementation type, so a second loop would be
    /// dropped without a word.
    /// </remarks>
    public static IServiceCollection AddLoop(this IServiceCollection services, Func<CancellationToken, Task> loop) =>
        services.AddSingleton<IHostedService>(new HostedLoop(loop));

    /// <summary>
    /// Adds the run of <paramref name="transport"/>: <see cref="PipelineService"/> (also as itself, for its
    /// completion) with the publisher and the outputs' readers. Services added before it stop after it.
    /// </summary>
    public static IServiceCollection AddPipeline(
        this IServiceCollection services, IPipelineTransport transport, SourcePublisher publisher, IEnumerable<OutputReader> readers, TimeSpan? duration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(readers);
        services.AddSingleton(transport);
        services.AddSingleton(publisher);
        foreach (var reader in readers)
        {
            services.AddSingleton(reader);
        }

        services.Configure<PipelineRunOptions>(options => options.Duration = duration);
        services.AddSingleton<PipelineService>();
        services.AddHostedService(provider => provider.GetRequiredService<PipelineService>());
        return services;
    }

    /// <summary>Gives every category the caller's logger.</summary>
    private sealed class OneLogger(ILogger log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => log;

        public void Dispose()
        {
        }
    }
}
