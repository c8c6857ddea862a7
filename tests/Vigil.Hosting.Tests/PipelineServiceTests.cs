using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Detection;
using Vigil.Features;
using Vigil.Hosting.Services;
using Vigil.Hosting.Transports;
using Vigil.Kafka.Configuration;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Runtime.Features;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sinks;
using Vigil.Runtime.Sources;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;
using Vigil.Testing;

namespace Vigil.Hosting.Tests;

/// <summary>One topology, run under Microsoft.Extensions.Hosting on either transport, its outputs read into real files.</summary>
public sealed class PipelineServiceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-hosting-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Counts per customer and terminal over a day, read by a model that flags busy cards at busy terminals.</summary>
    private static Topology Topology(int partitions)
    {
        var features = FeatureSet.Create(FeatureSet.NoneName, ["n = count(customer, 1d)", "s = sum_amount(customer, 1d)", "t = count(terminal, 1d)"]);
        var model = new LogisticModel(["n", "t"], [0, 0], [1, 1], [1, 0.5], intercept: -4, threshold: 0.5) { Version = "lr-busy", Features = features };
        return new Topology(new TopicOptions(), RuleSet.AmountThreshold(220), features,
            new FeatureStageOptions(), new PipelineOptions { Partitions = partitions })
        {
            Models = new DetectionModels(model),
        };
    }

    private static SourcePublisher Publisher(IPipelineTransport transport, int days = 4, SourcePacing? pacing = null) => new(
        new SimulatorSource(new TransactionSimulator(new SimulatorOptions { Customers = 80, Terminals = 150, Days = days, Seed = 11 })),
        transport.Outputs(TimeSpan.FromDays(1)), pacing ?? SourcePacing.Unlimited);

    /// <summary>The host of one run, its decided records written to files in <paramref name="directory"/>.</summary>
    private static (IHost Host, PipelineService Pipeline, List<JsonLinesSink> Sinks) Host(
        IPipelineTransport transport, SourcePublisher publisher, string directory, params OutputReader[] more)
    {
        var sinks = new[] { transport.Legit, transport.Fraud, transport.DeadLetters }.Select(t => new JsonLinesSink(t, directory)).ToList();
        var builder = PipelineHost.CreateBuilder(NullLogger.Instance);
        builder.Services.AddPipeline(transport, publisher, [.. sinks.Select(s => new OutputReader(s.Path, () => s.RunAsync())), .. more]);
        var host = builder.Build();
        return (host, host.Services.GetRequiredService<PipelineService>(), sinks);
    }

    /// <summary>Prepares the transport, publishes four simulated days into it and runs until every output is read.</summary>
    private static async Task<SourcePublisher> RunAsync(IPipelineTransport transport, string directory)
    {
        await transport.PrepareAsync();
        var publisher = Publisher(transport);
        var (host, pipeline, sinks) = Host(transport, publisher, directory);
        using (host)
        {
            await host.StartAsync();
            await pipeline.Completion.WaitAsync(Timeout);
            await host.StopAsync();
        }

        foreach (var sink in sinks)
        {
            await sink.DisposeAsync();
        }

        return publisher;
    }

    /// <summary>Every decided record by transaction id: fraud, score, and the features it was decided with.</summary>
    private static Dictionary<string, string> Decisions(string directory) =>
        Directory.GetFiles(directory, "*.jsonl").SelectMany(File.ReadLines).Select(line =>
        {
            var record = JsonDocument.Parse(line).RootElement;
            var vigil = record.GetProperty("vigil");
            return (Id: record.GetProperty("transaction_id").GetRawText(),
                Decision: $"{vigil.GetProperty("fraud")} {vigil.GetProperty("score")} {record.GetProperty("features").GetRawText()}");
        }).ToDictionary(d => d.Id, d => d.Decision);

    [Fact]
    public async Task A_run_ends_when_its_source_does_with_every_transaction_decided_once_and_the_host_stopped()
    {
        await using var transport = new InProcessTransport(Topology(partitions: 3));
        var publisher = await RunAsync(transport, _directory);

        var decisions = Decisions(_directory);
        Assert.True(publisher.Ended);
        Assert.Equal(publisher.Produced, decisions.Count);
        Assert.Equal(publisher.Produced, transport.Status().Processed);
        Assert.Contains(decisions.Values, d => d.StartsWith("True", StringComparison.Ordinal));
        Assert.Contains(decisions.Values, d => d.StartsWith("False", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_same_topology_decides_the_same_on_the_kafka_transport_as_in_process()
    {
        var inProcess = Path.Combine(_directory, "in-process");
        var onKafka = Path.Combine(_directory, "kafka");
        Directory.CreateDirectory(inProcess);
        Directory.CreateDirectory(onKafka);
        await using (var transport = new InProcessTransport(Topology(partitions: 2)))
        {
            await RunAsync(transport, inProcess);
        }

        var kafka = new KafkaOptions { BootstrapServers = "mock" };
        kafka.Settings["session.timeout.ms"] = "6000";
        kafka.Settings["heartbeat.interval.ms"] = "500";
        long late;
        await using (var transport = new KafkaTransport(Topology(partitions: 2), kafka, NullLogger.Instance))
        {
            await RunAsync(transport, onKafka);
            late = transport.Status().Features!.Late;
        }

        var expected = Decisions(inProcess);
        var actual = Decisions(onKafka);
        Assert.True(expected.Count > 300, $"{expected.Count} transactions");
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(0, late); // a late transaction is computed as of a later time: its windows would differ
        Assert.All(expected, pair => Assert.Equal(pair.Value, actual[pair.Key]));
    }

    [Fact]
    public async Task A_stop_requested_mid_run_ends_the_source_and_drains_what_it_published()
    {
        await using var transport = new InProcessTransport(Topology(partitions: 2));
        await transport.PrepareAsync();
        var publisher = Publisher(transport, days: 60, SourcePacing.PerSecond(2_000));
        var (host, pipeline, sinks) = Host(transport, publisher, _directory);
        using (host)
        {
            await host.StartAsync();
            Assert.True(await Eventually.TrueAsync(() => publisher.Produced > 500, Timeout));
            host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            await pipeline.Completion.WaitAsync(Timeout);
            await host.StopAsync();
        }

        foreach (var sink in sinks)
        {
            await sink.DisposeAsync();
        }

        Assert.False(publisher.Ended, "the source was stopped, not run to its end");
        Assert.Equal(publisher.Produced, Decisions(_directory).Count);
    }

    [Fact]
    public async Task Every_loop_added_beside_the_pipeline_runs_until_the_host_stops()
    {
        await using var transport = new InProcessTransport(Topology(partitions: 2));
        await transport.PrepareAsync();
        var publisher = Publisher(transport);
        var sinks = new[] { transport.Legit, transport.Fraud, transport.DeadLetters }.Select(t => DiscardSink.Attach(t, "test")).ToList();
        var builder = PipelineHost.CreateBuilder(NullLogger.Instance);
        builder.Services.AddPipeline(transport, publisher, [.. sinks.Select(s => new OutputReader("discard", () => s))]);
        var started = new int[3];
        var stopped = new int[3];
        for (var i = 0; i < 3; i++)
        {
            var loop = i;
            builder.Services.AddLoop(async stop =>
            {
                Interlocked.Increment(ref started[loop]);
                await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                Interlocked.Increment(ref stopped[loop]);
            });
        }

        using (var host = builder.Build())
        {
            await host.StartAsync();
            await host.Services.GetRequiredService<PipelineService>().Completion.WaitAsync(Timeout);
            Assert.Equal([1, 1, 1], started);
            await host.StopAsync().WaitAsync(Timeout);
        }

        Assert.Equal([1, 1, 1], stopped);
    }

    [Fact]
    public async Task A_reader_that_fails_ends_the_run_at_once_with_its_error_instead_of_holding_the_pipeline_back()
    {
        await using var transport = new InProcessTransport(Topology(partitions: 2));
        await transport.PrepareAsync();
        var publisher = Publisher(transport, days: 60);

        // A reader that subscribes to the fraud topic, then fails: unread, its queue would fill and stop the pipeline.
        _ = transport.Fraud.Subscribe("broken-reader");
        var failing = new OutputReader("a broken reader", async () =>
        {
            await Task.Delay(50);
            throw new IOException("disk full");
        });
        var (host, pipeline, _) = Host(transport, publisher, _directory, failing);
        using (host)
        {
            await host.StartAsync();
            var error = await Assert.ThrowsAsync<IOException>(() => pipeline.Completion.WaitAsync(Timeout));
            await host.StopAsync();
            Assert.Equal("disk full", error.Message);
        }
    }
}
