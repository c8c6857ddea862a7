using Microsoft.Extensions.Logging;
using Vigil.Detection;
using Vigil.Kafka.Bridge;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Detection;
using Vigil.Kafka.Features;
using Vigil.Kafka.Mock;
using Vigil.Kafka.Sources;
using Vigil.Rules;
using Vigil.Runtime.Features;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;

namespace Vigil.Hosting.Transports;

/// <summary>
/// The topology on Kafka: sources produce to the cluster; the feature stage (as <c>vigil features --kafka</c>)
/// reads transactions and labels and writes the featured topic; a detector (as <c>vigil detect</c>) joins the
/// consumer group on it; a bridge copies the output topics back for the files and the dashboard, so they show what
/// really is on the cluster. Without features the detector reads the transactions topic itself. With
/// <c>--kafka mock</c> the cluster is librdkafka's mock, in this process.
/// </summary>
public sealed class KafkaTransport : IPipelineTransport
{
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);

    private readonly KafkaOptions _options;
    private readonly Topology _topology;
    private readonly TopicOptions _topics;
    private readonly CancellationTokenSource _stopFeatures = new();
    private KafkaFeatureStage? _featureStage;
    private DetectionModels? _models;
    private Task _featuring = Task.CompletedTask;
    private RuleSet _rules;
    private readonly ILogger _log;
    private readonly MockCluster? _mock;
    private readonly CancellationTokenSource _stopDetector = new();
    private readonly CancellationTokenSource _stopBridge = new();
    private KafkaRecordWriter? _writer;
    private KafkaRecordWriter? _labels;
    private KafkaRecordWriter? _identities;
    private KafkaRecordWriter? _deadLetters;
    private KafkaDetector? _detector;
    private KafkaTopicBridge? _bridge;
    private Task _detecting = Task.CompletedTask;
    private Task _bridging = Task.CompletedTask;

    /// <param name="options">The cluster; with <see cref="KafkaOptions.IsMock"/>, a mock cluster started here with the topology's topics.</param>
    public KafkaTransport(Topology topology, KafkaOptions options, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        _topology = topology;
        _topics = topology.Topics;
        _options = options;
        _rules = topology.Rules;
        _models = topology.Models;
        _log = log;
        if (options.IsMock)
        {
            _mock = new MockCluster(brokers: 1);
            foreach (var topic in _topics.All)
            {
                _mock.CreateTopic(topic, topology.Pipeline.Partitions);
            }

            options.BootstrapServers = _mock.BootstrapServers;
        }
    }

    private bool HasFeatures => _topology.HasFeatures;

    public string Description => (_mock is null
        ? $"Kafka at {_options.BootstrapServers} · consumer group {_options.GroupId}"
        : $"Kafka mock cluster at {_options.BootstrapServers} (in this process, in memory)")
        + (HasFeatures ? $" · features: {_topology.Features.Name} ({_topology.Features.Count}) through {_topics.Featured}"
            : _mock is null ? " · no features (on a shared cluster they need --checkpoint, or vigil features --kafka)" : " · no features");

    public Topic Legit => Ready(_bridge)[_topics.Legit];

    public Topic Fraud => Ready(_bridge)[_topics.Fraud];

    public Topic DeadLetters => Ready(_bridge)[_topics.DeadLetter];

    public Topic Labels => Ready(_bridge)[_topics.Labels];

    public Task Completion { get; private set; } = Task.CompletedTask;

    public PipelineStatus Status() => Ready(_detector).Status() with
    {
        Produced = Ready(_writer).Written,
        Features = _featureStage is { } stage ? FeatureStatus.Of(stage.Stage) : null,
    };

    /// <summary>The models the detector scores with, swapped between two records.</summary>
    public DetectionModels? Models
    {
        set
        {
            _models = value;
            _detector?.Models = value;
        }
    }

    /// <summary>Null: the feature stage runs as a Kafka service, and its state is not shared with scoring requests.</summary>
    public PipelineFeatures? Features => null;

    public SourceOutputs Outputs(TimeSpan labelDelay) => new(Ready(_writer), Ready(_labels), labelDelay, Ready(_identities), Ready(_deadLetters));

    public RuleSet Rules
    {
        set
        {
            _rules = value;
            _detector?.Rules = value;
        }
    }

    public Task PrepareAsync() => Task.Run(() =>
    {
        var clients = new KafkaClients(_options, _log);
        _writer = new KafkaRecordWriter(clients, _topics.Transactions, _topics.DeadLetter);
        _labels = new KafkaRecordWriter(clients, _topics.Labels, _topics.DeadLetter);
        _identities = new KafkaRecordWriter(clients, _topics.Identities, _topics.DeadLetter);
        _deadLetters = new KafkaRecordWriter(clients, _topics.DeadLetter);
        if (HasFeatures)
        {
            _featureStage = new KafkaFeatureStage(clients, _topics, _topology.Features, _topology.FeatureOptions);
        }

        _detector = new KafkaDetector(clients, HasFeatures ? DetectorTopics(_topics) : _topics, _rules, _topology.Pipeline.MaxRecordBytes)
        {
            Models = _models,
            Tap = _topology.Taps?.Invoke(),
        };
        _bridge = new KafkaTopicBridge(clients, [_topics.Legit, _topics.Fraud, _topics.DeadLetter, _topics.Labels]);
    });

    public async Task StartAsync()
    {
        var detector = Ready(_detector);
        _featuring = _featureStage?.RunAsync(_stopFeatures.Token) ?? Task.CompletedTask;
        _detecting = detector.RunAsync(_stopDetector.Token);
        _bridging = Ready(_bridge).RunAsync(_stopBridge.Token);
        Completion = Task.WhenAll(_featuring, _detecting, _bridging);

        // Joining a consumer group takes seconds; generating meanwhile would only build a backlog.
        _log.WaitingForAssignment();
        await WaitUntilAsync(() => detector.Assignment.Count > 0);
    }

    public async Task DrainAsync()
    {
        var detector = Ready(_detector);
        var written = Ready(_writer).Written;

        // The feature stage releases what it holds once the partitions fall silent, so the detector gets every record.
        await WaitUntilAsync(() => detector.Status().Processed >= written);
        await _stopFeatures.CancelAsync();
        await _featuring;
        await _stopDetector.CancelAsync();
        await _detecting;

        var bridge = Ready(_bridge);
        var status = detector.Status();
        var invalidRows = Ready(_deadLetters).Written;
        var labels = Ready(_labels).Written;
        await WaitUntilAsync(() => bridge.Count(_topics.Legit) >= status.Legit && bridge.Count(_topics.Fraud) >= status.Fraud
                                   && bridge.Count(_topics.DeadLetter) >= status.DeadLetters + invalidRows
                                   && bridge.Count(_topics.Labels) >= labels);
        await _stopBridge.CancelAsync();
        await _bridging;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopFeatures.CancelAsync();
        await _stopDetector.CancelAsync();
        await _stopBridge.CancelAsync();
        _featureStage?.Dispose();
        _writer?.Dispose();
        _labels?.Dispose();
        _identities?.Dispose();
        _deadLetters?.Dispose();
        _detector?.Dispose();
        _bridge?.Dispose();
        _mock?.Dispose();
        _stopFeatures.Dispose();
        _stopDetector.Dispose();
        _stopBridge.Dispose();
    }

    /// <summary>The topics as the detector sees them: its input is the featured topic.</summary>
    private static TopicOptions DetectorTopics(TopicOptions topics) => new()
    {
        Transactions = topics.Featured,
        Legit = topics.Legit,
        Fraud = topics.Fraud,
        DeadLetter = topics.DeadLetter,
        Labels = topics.Labels,
        Identities = topics.Identities,
        Featured = topics.Featured,
        Rules = topics.Rules,
    };

    private async Task WaitUntilAsync(Func<bool> caughtUp)
    {
        var deadline = DateTime.UtcNow + CatchUpTimeout;
        while (!caughtUp() && DateTime.UtcNow < deadline && !Completion.IsFaulted)
        {
            await Task.Delay(50);
        }

        if (!caughtUp())
        {
            _log.GaveUpWaiting(CatchUpTimeout.TotalSeconds);
        }
    }

    private static T Ready<T>(T? component)
        where T : class =>
        component ?? throw new InvalidOperationException("The Kafka transport is not prepared yet.");
}
