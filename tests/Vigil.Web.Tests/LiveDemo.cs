using Microsoft.AspNetCore.Routing;
using Vigil.Streams;
using Vigil.Detection;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Quality;
using Vigil.Runtime.Sources;
using Vigil.Simulation.Seed;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;
using Vigil.Web.Dashboard;
using Vigil.Web.Metrics;

namespace Vigil.Web.Tests;

/// <summary>A running embedded pipeline with its dashboard on a free loopback port, for the dashboard's tests.</summary>
internal sealed class LiveDemo : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _running;

    private LiveDemo(EmbeddedPipeline pipeline, EventFeed feed, DashboardServer server, CancellationTokenSource stop, Task running)
    {
        Pipeline = pipeline;
        Feed = feed;
        Server = server;
        _stop = stop;
        _running = running;
    }

    public EmbeddedPipeline Pipeline { get; }

    public EventFeed Feed { get; }

    public DashboardServer Server { get; }

    /// <param name="simulated">The simulator with its labels (released at once) and live quality, instead of the seed's generator.</param>
    /// <param name="shadow">A shadow model to score beside the rules, its quality measured apart (with <paramref name="simulated"/>).</param>
    /// <param name="instances">The Kafka services' instances the status says it heard from, as <c>vigil dashboard --kafka</c> shows them.</param>
    /// <param name="retraining">What the status says of the retraining loop, as <c>vigil demo</c> without a model shows it.</param>
    /// <param name="routes">Further routes the dashboard serves (stand-ins for the analysts' routes).</param>
    public static async Task<LiveDemo> StartAsync(
        double? rate, long count = long.MaxValue, DashboardOptions? options = null, bool simulated = false, Model? shadow = null, IReadOnlyList<InstanceSighting>? instances = null,
        RetrainingStatus? retraining = null, Action<IEndpointRouteBuilder>? routes = null)
    {
        options ??= new DashboardOptions { Port = 0, EventsPerSecond = 50 };
        var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(simulated ? 220 : 900));
        if (shadow is not null)
        {
            // A primary that never flags, so that the rules decide and the shadow only watches.
            pipeline.Models = new DetectionModels(new LogisticModel(["amount"], [0], [1], [0], intercept: -100, threshold: 0.5) { Version = "lr-silent" }, shadow);
        }

        var quality = simulated ? new QualityMonitor(pipeline.Legit, pipeline.Fraud, pipeline.Labels, shadow: shadow is not null) : null;
        ITransactionSource generator = simulated
            ? new SimulatorSource(new TransactionSimulator(new SimulatorOptions { Customers = 1000, Terminals = 2000, Days = null, Seed = 5 }))
            : new SeedTransactionGenerator(seed: 5);
        var outputs = new SourceOutputs(pipeline.Transactions.CreateProducer(), pipeline.Labels.CreateProducer(), TimeSpan.Zero);
        var source = new SourcePublisher(generator, outputs, SourcePacing.PerSecondOrUnlimited(rate), count);
        var feed = new EventFeed(pipeline.Legit, pipeline.Fraud, () => pipeline.Status() with
        {
            Quality = quality?.Snapshot(),
            Shadow = shadow is not null && quality?.ShadowSnapshot() is { } s ? new ShadowStatus(shadow.Version, s) : null,
            EventTimeMs = simulated ? source.EventTimeMs : null,
            Instances = instances,
            Retraining = retraining,
        }, options);
        var metrics = new ServiceMetrics("demo");
        PipelineMetrics.Add(metrics, pipeline.Status, new TopicOptions(), new TopicOptions().Transactions);
        var server = new DashboardServer(options, feed, metrics: metrics, routes: routes);
        await server.StartAsync();
        var feeding = Task.WhenAll(feed.RunAsync(), quality?.RunAsync() ?? Task.CompletedTask);
        pipeline.Start();
        var stop = new CancellationTokenSource();
        return new LiveDemo(pipeline, feed, server, stop, RunAsync(source, pipeline, feeding, stop.Token));
    }

    /// <summary>Waits until the generator has produced its count and every record is decided.</summary>
    public Task CompletionAsync() => _running.WaitAsync(TimeSpan.FromSeconds(60));

    /// <summary>Stops the generator and waits until every record is decided and the feed has finished.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Server.StopAsync();
        await Server.DisposeAsync();
        _stop.Dispose();
    }

    private static async Task RunAsync(SourcePublisher source, EmbeddedPipeline pipeline, Task feeding, CancellationToken stop)
    {
        await source.RunAsync(stop);
        await pipeline.DrainAsync();
        await feeding;
    }
}
