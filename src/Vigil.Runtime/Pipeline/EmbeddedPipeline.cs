using System.Diagnostics;
using Vigil.Detection;
using Vigil.Features;
using Vigil.Runtime.Features;
using Vigil.Rules;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Sinks;
using Vigil.Runtime.Topics;
using Vigil.Simulation.Seed;
using Vigil.Transactions;

namespace Vigil.Runtime.Pipeline;

/// <summary>
/// The embedded runtime's topology: transactions and labels topics → the feature stage → featured topic → one detector
/// worker per partition → legit, fraud and dead-letter topics. Without features the detectors read the transactions
/// topic directly. Sources publish into <see cref="Transactions"/>; sinks subscribe to the outputs before <see cref="Start"/>.
/// </summary>
public sealed class EmbeddedPipeline
{
    public const string DetectorGroup = "vigil-detector";

    private readonly List<DetectorWorker> _workers = [];
    private readonly List<Task> _running = [];
    private readonly Stopwatch _clock = new();
    private RuleSet _rules;
    private DetectionModels? _models;

    public EmbeddedPipeline(PipelineOptions pipeline, TopicOptions topics, RuleSet rules, FeatureSet? features = null, FeatureStageOptions? featureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules;
        Broker = new EmbeddedBroker(new BatchPool(pipeline.BatchBytes));
        Transactions = Broker.CreateTopic(topics.Transactions, pipeline.Partitions);
        Legit = Broker.CreateTopic(topics.Legit, pipeline.Partitions);
        Fraud = Broker.CreateTopic(topics.Fraud, pipeline.Partitions);
        DeadLetters = Broker.CreateTopic(topics.DeadLetter, pipeline.Partitions);
        Labels = Broker.CreateTopic(topics.Labels, pipeline.Partitions);
        Identities = Broker.CreateTopic(topics.Identities, pipeline.Partitions);

        var detectorInput = Transactions;
        if (features is { IsEmpty: false })
        {
            Featured = Broker.CreateTopic(topics.Featured, pipeline.Partitions);
            FeatureStage = new FeatureStage(
                new FeatureEngine(features, featureOptions?.Limits),
                Transactions.Subscribe(FeatureStage.Group, SubscriptionMode.Blocking, pipeline.QueueCapacity),
                Labels.Subscribe(FeatureStage.Group, SubscriptionMode.Blocking, pipeline.QueueCapacity),
                Featured.CreateProducer(),
                featureOptions ?? new FeatureStageOptions(),
                pipeline.MaxRecordBytes,
                featureOptions is { JoinIdentities: true } ? Identities.Subscribe(FeatureStage.Group, SubscriptionMode.Blocking, pipeline.QueueCapacity) : null);
            detectorInput = Featured;
        }

        var decoder = new TransactionDecoder(pipeline.MaxRecordBytes);
        foreach (var input in detectorInput.Subscribe(DetectorGroup, SubscriptionMode.Blocking, pipeline.QueueCapacity))
        {
            _workers.Add(new DetectorWorker(
                input, new DetectionProcessor(new Detector(rules), decoder), Legit.CreateProducer(), Fraud.CreateProducer(), DeadLetters.CreateProducer()));
        }
    }

    public EmbeddedBroker Broker { get; }

    public Topic Transactions { get; }

    public Topic Legit { get; }

    public Topic Fraud { get; }

    public Topic DeadLetters { get; }

    /// <summary>Ground truth from the source, for the quality monitor (and later for features that learn from labels).</summary>
    public Topic Labels { get; }

    /// <summary>The second stream of a two-file dataset, joined to transactions by the feature stage when asked to.</summary>
    public Topic Identities { get; }

    /// <summary>Transactions with their features, read by the detectors; null without features.</summary>
    public Topic? Featured { get; }

    /// <summary>Computes features before detection; null without features.</summary>
    public FeatureStage? FeatureStage { get; }

    public IReadOnlyList<DetectorWorker> Workers => _workers;

    /// <summary>Completes when every worker has finished; faults as soon as one fails.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>The rule set deciding now; setting it swaps every worker's rules between two records.</summary>
    public RuleSet Rules
    {
        get => _rules;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _rules = value;
            foreach (var worker in _workers)
            {
                worker.Processor.Detector.Rules = value;
            }
        }
    }

    /// <summary>The models scoring with the rules (null: rules alone); setting them swaps every worker's models between two records.</summary>
    public DetectionModels? Models
    {
        get => _models;
        set
        {
            _models = value;
            foreach (var worker in _workers)
            {
                worker.Processor.Detector.Models = value;
            }
        }
    }

    /// <summary>
    /// Runs a few thousand records through a scratch copy of this topology, so that the first real records
    /// are not decided by code still being compiled (which costs them milliseconds).
    /// </summary>
    public async Task WarmUpAsync(int records = 20_000)
    {
        var scratch = new EmbeddedPipeline(
            new PipelineOptions { Partitions = Transactions.Partitions.Count, BatchBytes = Broker.Pool.BatchBytes },
            new TopicOptions(),
            _rules);
        var drains = new[] { scratch.Legit, scratch.Fraud, scratch.DeadLetters }.Select(t => DiscardSink.Attach(t, "warm-up")).ToList();
        scratch.Start();
        var producer = scratch.Transactions.CreateProducer();
        var buffer = new byte[SeedTransactionGenerator.MaxRecordLength];
        var generator = new SeedTransactionGenerator(seed: 0);
        for (var i = 0; i < records; i++)
        {
            var length = generator.Next(buffer, out var key);
            producer.Append(buffer.AsSpan(key), buffer.AsSpan(0, length));
            if (i % 256 == 0)
            {
                await producer.FlushAsync();
            }
        }

        producer.Append(default, "not json"u8);
        await producer.FlushAsync();
        await scratch.DrainAsync();
        await Task.WhenAll(drains);
    }

    /// <summary>Starts the detector workers; <paramref name="abort"/> stops them without draining.</summary>
    public void Start(CancellationToken abort = default)
    {
        if (_clock.IsRunning)
        {
            throw new InvalidOperationException("The pipeline is already running.");
        }

        _clock.Start();
        if (FeatureStage is { } stage)
        {
            _running.Add(Task.Run(
                async () =>
                {
                    try
                    {
                        await stage.RunAsync(abort);
                    }
                    finally
                    {
                        Featured!.Complete();
                    }
                },
                CancellationToken.None));
        }

        foreach (var worker in _workers)
        {
            _running.Add(Task.Run(() => worker.RunAsync(abort), CancellationToken.None));
        }

        Completion = Task.WhenAll(_running);
    }

    /// <summary>
    /// Ends the input and waits until every record in flight is decided and published, then completes the
    /// output topics so that sinks drain and finish. Call after the sources have stopped.
    /// </summary>
    public async Task DrainAsync()
    {
        Transactions.Complete();
        Labels.Complete();
        Identities.Complete();
        try
        {
            await Completion;
        }
        finally
        {
            Legit.Complete();
            Fraud.Complete();
            DeadLetters.Complete();
            _clock.Stop();
        }
    }

    public PipelineStatus Status()
    {
        var latency = new LatencyHistogram();
        long lag = 0;
        foreach (var worker in _workers)
        {
            latency.Add(worker.Processor.Latency);
        }

        foreach (var partition in (Featured ?? Transactions).Partitions)
        {
            foreach (var subscription in partition.Subscriptions)
            {
                lag += subscription.Lag;
            }
        }

        return new PipelineStatus(
            _clock.Elapsed,
            Transactions.EndOffset,
            Legit.EndOffset,
            Fraud.EndOffset,
            DeadLetters.EndOffset,
            lag,
            latency.Percentile(0.50),
            latency.Percentile(0.99),
            latency.MaxNanoseconds)
        {
            Features = FeatureStage is { } stage ? FeatureStatus.Of(stage) : null,
            RulesVersion = _rules.Version,
            ModelVersion = _models?.Primary.Version,
        };
    }
}
