using System.Diagnostics;
using Vigil.Detection;
using Vigil.Features;
using Vigil.Runtime.Features;
using Vigil.Rules;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Sinks;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Runtime.Pipeline;

/// <summary>
/// The embedded runtime's topology: transactions and labels topics → one customer task per partition → an internal
/// repartition topic → one terminal task per partition, which decides → legit, fraud and dead-letter topics. With a
/// checkpoint or a join, one feature stage → featured topic → one detector worker per partition instead; without
/// features the detectors read the transactions topic directly. Sources publish into <see cref="Transactions"/>; sinks subscribe to the outputs before <see cref="Start"/>.
/// </summary>
public sealed class EmbeddedPipeline
{
    public const string DetectorGroup = "vigil-detector";

    /// <summary>The group of the tasks that own terminals' features and decide.</summary>
    public const string TerminalGroup = "vigil-terminals";

    private readonly List<DetectorWorker> _workers = [];
    private readonly List<DetectionProcessor> _processors = [];
    private readonly List<FeatureStage> _customerTasks = [];
    private readonly List<TerminalTask> _terminalTasks = [];
    private FeaturePart? _customerPart;
    private FeaturePart? _terminalPart;
    private FeatureStageOptions? _featureOptions;
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

        var decoder = new TransactionDecoder(pipeline.MaxRecordBytes);
        var detectorInput = Transactions;
        featureOptions ??= new FeatureStageOptions();
        _featureOptions = featureOptions;
        if (features is { IsEmpty: false } && featureOptions.Partitioned && !featureOptions.JoinIdentities && featureOptions.Checkpoint is null)
        {
            BuildPartitioned(pipeline, topics, rules, features, featureOptions, decoder);
            return;
        }

        if (features is { IsEmpty: false })
        {
            Featured = Broker.CreateTopic(topics.Featured, pipeline.Partitions);
            FeatureStage = new FeatureStage(
                new FeatureEngine(features, featureOptions.Limits),
                Transactions.Subscribe(FeatureStage.Group, SubscriptionMode.Blocking, pipeline.QueueCapacity),
                Labels.Subscribe(FeatureStage.Group, SubscriptionMode.Blocking, pipeline.QueueCapacity),
                Featured.CreateProducer(),
                featureOptions,
                pipeline.MaxRecordBytes,
                featureOptions.JoinIdentities ? Identities.Subscribe(FeatureStage.Group, SubscriptionMode.Blocking, pipeline.QueueCapacity) : null);
            detectorInput = Featured;
            Features = features;
        }

        foreach (var input in detectorInput.Subscribe(DetectorGroup, SubscriptionMode.Blocking, pipeline.QueueCapacity))
        {
            var worker = new DetectorWorker(
                input, new DetectionProcessor(new Detector(rules), decoder), Legit.CreateProducer(), Fraud.CreateProducer(), DeadLetters.CreateProducer());
            _workers.Add(worker);
            _processors.Add(worker.Processor);
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

    /// <summary>Transactions with their features, read by the detectors, where one stage computes them; null otherwise.</summary>
    public Topic? Featured { get; private set; }

    /// <summary>Computes features before detection when one stage does (with a checkpoint or a join); null otherwise.</summary>
    public FeatureStage? FeatureStage { get; private set; }

    /// <summary>The features computed before detection; null without features.</summary>
    public FeatureSet? Features { get; private set; }

    /// <summary>Tasks computing features, customer side then terminal side; 1 for one stage, 0 without features.</summary>
    public int FeatureTasks => FeatureStage is not null ? 1 : _customerTasks.Count + _terminalTasks.Count;

    /// <summary>The internal topic between the customers' and the terminals' feature tasks; null unless features are partitioned.</summary>
    public Topic? Repartitioned { get; private set; }

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
            foreach (var processor in _processors)
            {
                processor.Detector.Rules = value;
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
            foreach (var processor in _processors)
            {
                processor.Detector.Models = value;
            }
        }
    }

    /// <summary>Gives each detection processor its own tap, made by <paramref name="create"/>; call before <see cref="Start"/>.</summary>
    public void AttachTaps(Func<IDecisionTap> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        foreach (var processor in _processors)
        {
            processor.Tap = create();
        }
    }

    /// <summary>
    /// Runs a few thousand records through a scratch copy of this topology, its features and models included, so that
    /// the first real records are not decided by code still being compiled (which costs them milliseconds).
    /// </summary>
    public async Task WarmUpAsync(int records = 20_000)
    {
        var scratch = new EmbeddedPipeline(
            new PipelineOptions { Partitions = Transactions.Partitions.Count, BatchBytes = Broker.Pool.BatchBytes },
            new TopicOptions(),
            _rules,
            Features,
            _featureOptions is { } options ? new FeatureStageOptions { Partitioned = options.Partitioned, Limits = options.Limits } : null)
        {
            Models = _models,
        };
        var drains = new[] { scratch.Legit, scratch.Fraud, scratch.DeadLetters }.Select(t => DiscardSink.Attach(t, "warm-up")).ToList();
        scratch.Start();
        var producer = scratch.Transactions.CreateProducer();
        var record = new byte[WarmUpRecords.MaxLength];
        var key = new byte[WarmUpRecords.MaxKeyLength];
        var generator = new WarmUpRecords();
        for (var i = 0; i < records; i++)
        {
            var length = generator.Next(record, key, out var keyLength);
            producer.Append(key.AsSpan(0, keyLength), record.AsSpan(0, length));
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
            _running.Add(ThenComplete(Featured!, Task.Run(() => stage.RunAsync(abort), CancellationToken.None)));
        }

        foreach (var worker in _workers)
        {
            _running.Add(Task.Run(() => worker.RunAsync(abort), CancellationToken.None));
        }

        if (_customerTasks.Count > 0)
        {
            var customers = _customerTasks.Select(task => Task.Run(() => task.RunAsync(abort), CancellationToken.None)).ToArray();
            _running.AddRange(customers);
            _running.Add(ThenComplete(Repartitioned!, Task.WhenAll(customers)));
            _running.AddRange(_terminalTasks.Select(task => Task.Run(() => task.RunAsync(abort), CancellationToken.None)));
        }

        Completion = WhenAllOrFirstFailure(_running);
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
        var tally = new DecisionTally();
        long lag = 0;
        foreach (var processor in _processors)
        {
            latency.Add(processor.Latency);
            tally.Add(processor.Tally);
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
            Features = FeatureStage is { } stage ? FeatureStatus.Of(stage)
                : _customerTasks.Count > 0 ? FeatureStatus.Of(_customerTasks, [.. _terminalTasks.Select(t => (t.Engine, t.Released, t.Held))])
                : null,
            RulesVersion = _rules.Version,
            ModelVersion = _models?.Primary.Version,
            Latency = latency,
            Tally = tally,
        };
    }

    /// <summary>
    /// The features a transaction would get now from the live state, without counting it: for scoring requests beside
    /// the stream. Safe from any thread. Needs features (<see cref="Features"/> not null).
    /// </summary>
    public void PeekFeatures(Transaction transaction, long timeMs, Span<double> values)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (FeatureStage is { } stage)
        {
            stage.Peek(transaction, timeMs, values);
            return;
        }

        if (_customerPart is null || _terminalPart is null)
        {
            throw new InvalidOperationException("This pipeline computes no features.");
        }

        // A customer's state is with the task of the partition its records are keyed to: the sources key them by customer.
        var (customer, terminal) = FeatureKeys.Of(transaction);
        var raw = transaction.Raw(transaction.CustomerId.IsPresent ? transaction.CustomerId : transaction.Source);
        Span<double> own = stackalloc double[_customerPart.Positions.Count];
        _customerTasks[Transactions.PartitionFor(raw)].Peek(transaction, timeMs, own);
        _customerPart.Scatter(own, values);
        var task = terminal is { } t ? Repartition.Owner(t, _terminalTasks.Count) : 0;
        _terminalTasks[task].Peek(timeMs, customer, terminal, transaction.Amount, values);
    }

    /// <summary>
    /// Features over every partition: one customer task per partition of the transactions topic (which the sources key
    /// by customer) computes the customer's features and the transaction's own; it sends each transaction, its values in
    /// binary, through an internal repartition topic to the task that owns its terminal, which computes the terminal's
    /// features and decides. docs/FEATURES.md, "Partitioned state".
    /// </summary>
    private void BuildPartitioned(PipelineOptions pipeline, TopicOptions topics, RuleSet rules, FeatureSet features, FeatureStageOptions options, TransactionDecoder decoder)
    {
        Features = features;
        var parts = FeaturePart.Split(features);
        _customerPart = parts.FirstOrDefault(p => p.Entity != FeatureEntity.Terminal) ?? new FeaturePart(FeatureEntity.Customer, new FeatureSet(features.Name, []), []);
        _terminalPart = parts.FirstOrDefault(p => p.Entity == FeatureEntity.Terminal) ?? new FeaturePart(FeatureEntity.Terminal, new FeatureSet(features.Name, []), []);

        // Each task keeps its share of the bound on entities.
        var share = options.Limits with { MaxEntities = Math.Max(10, options.Limits.MaxEntities / pipeline.Partitions) };
        Repartitioned = Broker.CreateTopic($"{FeatureStage.Group}-terminals-repartition", pipeline.Partitions);
        var transactions = Transactions.Subscribe(FeatureStage.Group, SubscriptionMode.Blocking, pipeline.QueueCapacity);
        var labels = Labels.Subscribe(FeatureStage.Group, SubscriptionMode.Blocking, pipeline.QueueCapacity);
        for (var i = 0; i < pipeline.Partitions; i++)
        {
            var output = Repartitioned.CreateProducer();
            _customerTasks.Add(new FeatureStage(new FeatureEngine(_customerPart.Set, share), [transactions[i]], [labels[i]], output, options, pipeline.MaxRecordBytes)
            {
                Repartition = new RepartitionWriter(output, i),
            });
        }

        var inputs = Repartitioned.Subscribe(TerminalGroup, SubscriptionMode.Blocking, pipeline.QueueCapacity);
        foreach (var input in inputs)
        {
            var task = new TerminalTask(
                input, pipeline.Partitions, _customerPart, _terminalPart, features, share, new DetectionProcessor(new Detector(rules), decoder), Transactions.Name,
                Legit.CreateProducer(), Fraud.CreateProducer(), DeadLetters.CreateProducer());
            _terminalTasks.Add(task);
            _processors.Add(task.Processor!);
        }
    }

    /// <summary>Completes <paramref name="topic"/> once <paramref name="writers"/> have ended, however they ended, so that its readers finish.</summary>
    private static async Task ThenComplete(Topic topic, Task writers)
    {
        try
        {
            await writers;
        }
        finally
        {
            topic.Complete();
        }
    }

    /// <summary>
    /// Completes when every task has, but faults (or is cancelled) as soon as one does: a task that fails stops reading
    /// its input, and backpressure then holds the others (and the source) back for ever, so waiting for all would hang.
    /// </summary>
    internal static async Task WhenAllOrFirstFailure(IReadOnlyList<Task> tasks)
    {
        var pending = tasks.ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            if (!done.IsCompletedSuccessfully)
            {
                await done;
            }

            pending.Remove(done);
        }
    }
}
