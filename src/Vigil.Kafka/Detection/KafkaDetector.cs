using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Globalization;
using Vigil.Detection;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Native;
using Vigil.Kafka.Refusals;
using Vigil.Rules;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Kafka.Detection;

/// <summary>
/// A detector in a Kafka consumer group: reads the transactions topic, decides every record and writes it to the
/// legit, fraud or dead-letter topic. At-least-once, with no loss: an input offset is committed only once the
/// brokers have acknowledged its output; on a rebalance and on stop, in-flight outputs are awaited and what is done
/// is committed. This class is the one place that owns produce and commit.
/// </summary>
/// <remarks>
/// One thread does everything: consume a batch straight from librdkafka's buffers, decide, produce (copied by
/// librdkafka), serve delivery reports and rebalances. Nothing is allocated per record.
/// </remarks>
public sealed class KafkaDetector : IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan WindowLength = TimeSpan.FromMilliseconds(5);
    private const int WindowRecords = 5_000;

    private readonly KafkaOptions _options;
    private readonly TopicOptions _topics;
    private readonly ILogger _log;
    private readonly DetectionProcessor _processor;
    private readonly DeliveryTracker _tracker = new();
    private readonly RefusedRecords _refused;
    private readonly Dictionary<int, long> _committed = [];
    private readonly Stopwatch _clock = new();
    private readonly NativeProducer _producer;
    private readonly NativeConsumer _consumer;
    private byte[] _input = new byte[64 * 1024];
    private byte[] _output = new byte[64 * 1024];
    private long _consumed;
    private long _legit;
    private long _fraud;
    private long _deadLetters;
    private long _lag;
    private long _commits;
    private volatile int[] _assignment = [];
    private volatile (int Partition, long Lag)[] _partitionLags = [];
    private readonly CancellationTokenSource _disposing = new();
    private Task _running = Task.CompletedTask;

    /// <param name="ready">Gives up waiting for the cluster to answer (a stop, a deadline).</param>
    /// <param name="codec">How records are read and written: JSON (Vigil's own) when null, or Avro with a registry.</param>
    public KafkaDetector(
        KafkaClients clients, TopicOptions topics, RuleSet rules, int maxRecordBytes = TransactionDecoder.DefaultMaxRecordBytes, IRecordCodec? codec = null, CancellationToken ready = default)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(rules);
        _options = clients.Options;
        _topics = topics;
        _log = clients.Log;
        _processor = new DetectionProcessor(new Detector(rules), codec ?? new JsonRecordCodec(new TransactionDecoder(maxRecordBytes)));
        DetectionProcessor.WarmUp(_processor.Detector);
        _refused = new RefusedRecords(topics.DeadLetter);
        _producer = clients.Producer("detector", OnDelivered);
        try
        {
            _producer.Prime([topics.Legit, topics.Fraud, topics.DeadLetter], TimeSpan.FromSeconds(30), ready);
            _consumer = clients.GroupMember("detector", topics.Transactions, new Listener(this));
        }
        catch
        {
            _producer.Dispose();
            throw;
        }
    }

    /// <summary>The rule set deciding now; setting it swaps the rules between two records.</summary>
    public RuleSet Rules
    {
        get => _processor.Detector.Rules;
        set => _processor.Detector.Rules = value;
    }

    /// <summary>The models scoring with the rules; setting them swaps between two records.</summary>
    public DetectionModels? Models
    {
        get => _processor.Detector.Models;
        set => _processor.Detector.Models = value;
    }

    /// <summary>Sees every transaction decided (the retraining loop); set before <see cref="RunAsync"/>.</summary>
    public IDecisionTap? Tap
    {
        get => _processor.Tap;
        set => _processor.Tap = value;
    }

    /// <summary>The partitions of the transactions topic this instance owns now.</summary>
    public IReadOnlyList<int> Assignment => _assignment;

    /// <summary>
    /// This instance's report for the status topic: each partition it owns is a task, with its lag as of the last second.
    /// </summary>
    /// <param name="instance">The instance's name in its group.</param>
    public InstanceStatus Report(string instance)
    {
        var lags = _partitionLags.ToDictionary(p => p.Partition, p => p.Lag);
        return new InstanceStatus("detect", GroupId, instance, DateTimeOffset.UtcNow, Interlocked.Read(ref _consumed),
            [.. _assignment.Order().Select(p => new TaskState(p.ToString(CultureInfo.InvariantCulture), "running", lags.GetValueOrDefault(p)))]);
    }

    public string GroupId => _options.GroupId;

    /// <summary>The lag of each partition this instance owns, as of the last second.</summary>
    public IReadOnlyList<(int Partition, long Lag)> PartitionLags => _partitionLags;

    /// <summary>Outputs the brokers have acknowledged.</summary>
    public long Delivered => Volatile.Read(ref _delivered);

    private long _delivered;

    /// <summary>Offset commits made (each after the outputs of the records before it were acknowledged).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public PipelineStatus Status() => new(
        _clock.Elapsed,
        Interlocked.Read(ref _consumed),
        Interlocked.Read(ref _legit),
        Interlocked.Read(ref _fraud),
        Interlocked.Read(ref _deadLetters),
        Interlocked.Read(ref _lag),
        _processor.Latency.Percentile(0.50),
        _processor.Latency.Percentile(0.99),
        _processor.Latency.MaxNanoseconds)
    {
        Latency = _processor.Latency,
        Tally = _processor.Tally,
        RulesVersion = Rules.Version,
        ModelVersion = Models?.Primary.Version,
    };

    /// <summary>Consumes until <paramref name="stop"/> is cancelled, then finishes in-flight work, commits and leaves the group.</summary>
    /// <exception cref="KafkaDeliveryException">The brokers refused an output; nothing after it was committed.</exception>
    public Task RunAsync(CancellationToken stop)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, _disposing.Token);
        _running = Task.Factory.StartNew(() => Run(linked.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .ContinueWith(run => { linked.Dispose(); return run; }, TaskScheduler.Default).Unwrap();
        return _running;
    }

    /// <summary>Stops a run still going (finishing its in-flight work, as a stop does) before freeing the clients it uses.</summary>
    public void Dispose()
    {
        _disposing.Cancel();
        try
        {
            _running.Wait(_options.ShutdownTimeout + TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The run's failure was the caller's to observe through RunAsync.
        }

        _consumer.Dispose();
        _producer.Dispose();
        _disposing.Dispose();
    }

    private void Run(CancellationToken stop)
    {
        _clock.Start();
        var windowStart = Stopwatch.GetTimestamp();
        var lastCommit = Stopwatch.GetTimestamp();
        var lastLag = Stopwatch.GetTimestamp();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var count = _consumer.Consume(PollTimeout);
                try
                {
                    for (var i = 0; i < count; i++)
                    {
                        Process(_consumer[i]);
                    }
                }
                finally
                {
                    _consumer.Release();
                }

                // Delivery reports are served here, on this thread: the tracker needs no locks.
                _producer.Poll(0);
                DeadLetterRefused();
                Volatile.Write(ref _delivered, _tracker.Delivered);
                ThrowIfFailed();
                var now = Stopwatch.GetTimestamp();
                if (_tracker.OpenCount >= WindowRecords || Stopwatch.GetElapsedTime(windowStart, now) >= WindowLength)
                {
                    _tracker.Seal();
                    windowStart = now;
                }

                if (Stopwatch.GetElapsedTime(lastCommit, now) >= _options.CommitInterval)
                {
                    Commit(_assignment);
                    lastCommit = now;
                }

                if (Stopwatch.GetElapsedTime(lastLag, now) >= TimeSpan.FromSeconds(1))
                {
                    var assignment = _assignment;
                    var lags = _consumer.Lags(assignment);
                    _partitionLags = [.. assignment.Select((partition, i) => (partition, lags[i]))];
                    Interlocked.Exchange(ref _lag, lags.Sum());
                    lastLag = now;
                }
            }

            FinishInFlight(_assignment);
        }
        finally
        {
            // Leaving the group revokes what is left: the listener commits it first.
            _consumer.Dispose();
            Volatile.Write(ref _delivered, _tracker.Delivered);
            _clock.Stop();
        }

        ThrowIfFailed();
    }

    private void Process(ConsumedMessage message)
    {
        if (message.Error != 0)
        {
            // Consumer events (a partition's end, a broker hiccup) are not records; librdkafka recovers on its own.
            _log.ConsumerEvent(message.ErrorText);
            return;
        }

        Interlocked.Increment(ref _consumed);
        using var activity = DetectionTracing.Start(message, _consumer.Topic);
        var value = message.Value;
        if (_input.Length < value.Length)
        {
            _input = new byte[value.Length];
        }

        value.CopyTo(_input);
        var timestamp = message.TimestampMs;
        var route = _processor.Decide(_input.AsMemory(0, value.Length), _consumer.Topic, message.Partition, message.Offset, out var deadLetter);
        _tracker.Track(message.Partition, message.Offset);
        if (route == Route.DeadLetter)
        {
            // The original bytes and headers, with Vigil's reason and origin added.
            activity?.SetStatus(ActivityStatusCode.Error, "dead letter");
            ProduceDeadLetter(message.Key, value, timestamp, [.. message.Headers(), .. deadLetter!]);
            Interlocked.Increment(ref _deadLetters);
            return;
        }

        if (timestamp != 0)
        {
            _processor.RecordLatency(Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - timestamp) * 1_000_000);
        }

        if (_output.Length < _processor.MaxOutputLength)
        {
            _output = new byte[_processor.MaxOutputLength];
        }

        // The output keeps the input's key (so its partition), timestamp (event time) and headers (a W3C traceparent,
        // a producer's own), as Kafka Streams does.
        var length = _processor.Encode(_output);
        var topic = route == Route.Fraud ? _topics.Fraud : _topics.Legit;
        activity?.SetTag("vigil.outcome", route == Route.Fraud ? "fraud" : "legit");
        Span<byte> traceParent = stackalloc byte[64];
        var error = Produce(topic, message.Key, _output.AsSpan(0, length), timestamp, headers: null, _tracker.OpenNumber, message.HeaderList, DetectionTracing.TraceParent(activity, traceParent));
        if (error != 0)
        {
            // This record's output can never be written (larger than the cluster takes): its input goes to the dead
            // letters instead, and the partition goes on.
            ProduceDeadLetter(message.Key, value, timestamp, [.. message.Headers(), .. DeadLetterHeaders.For(
                "output_refused", $"the decided record cannot be written to {topic}: {NativeProducer.Describe(error)} ({length:N0} bytes)",
                _consumer.Topic, message.Partition, message.Offset)]);
            _processor.Tally.DeadLetter("output_refused");
            Interlocked.Increment(ref _deadLetters);
            return;
        }

        Interlocked.Increment(ref route == Route.Fraud ? ref _fraud : ref _legit);
    }

    /// <summary>Produces, serving delivery reports while librdkafka's queue is full (the brokers set the pace); returns an error about this record, or 0.</summary>
    private int Produce(
        string topic, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long timestamp, IReadOnlyList<RecordHeader>? headers, long number, IntPtr forwarded = default,
        ReadOnlySpan<byte> traceParent = default)
    {
        int error;
        while ((error = _producer.Produce(topic, key, value, timestamp, number, headers, forwarded: forwarded, traceParent: traceParent)) == NativeProducer.QueueFull)
        {
            _producer.Poll(1);
            ThrowIfFailed();
        }

        return error;
    }

    /// <summary>Produces a dead letter; one the cluster refuses whole goes as its first bytes, with the reason and the original length.</summary>
    private void ProduceDeadLetter(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long timestamp, IReadOnlyList<RecordHeader> headers, long? number = null)
    {
        var window = number ?? _tracker.OpenNumber;
        var error = Produce(_topics.DeadLetter, key, value, timestamp, headers, window);
        if (error != 0)
        {
            var cut = _refused.Keep(window, _topics.DeadLetter, key, value, error, headers);
            error = Produce(_topics.DeadLetter, cut.Key, cut.Value, timestamp, cut.Headers, window);
        }

        if (error != 0)
        {
            throw new KafkaDeliveryException(
                $"the detector stopped: even the first {RefusedRecords.MaxValueBytes / 1024} KiB of a dead letter are refused for {_topics.DeadLetter}: {NativeProducer.Describe(error)}; raise the topic's max.message.bytes");
        }
    }

    /// <summary>
    /// A delivery report, on this thread: an output the brokers refused for its own sake goes to the dead letters (cut)
    /// and counts there, its window waiting for that dead letter; any other failure stops the detector.
    /// </summary>
    private void OnDelivered(in DeliveryReport report)
    {
        if (report.Error != 0 && _refused.TryKeep(report))
        {
            Interlocked.Decrement(ref report.Topic == _topics.Legit ? ref _legit : ref report.Topic == _topics.Fraud ? ref _fraud : ref _deadLetters);
            Interlocked.Increment(ref _deadLetters);
            return;
        }

        _tracker.OnDelivered(report.Number, report.Error);
    }

    private void DeadLetterRefused()
    {
        while (_refused.TryTake(out var record))
        {
            var error = Produce(_topics.DeadLetter, record.Key, record.Value, 0, record.Headers, record.Number);
            if (error != 0)
            {
                throw new KafkaDeliveryException($"the detector stopped: the dead letter of a refused record is refused too: {NativeProducer.Describe(error)}");
            }
        }
    }

    /// <summary>Waits for every output in flight to be acknowledged, then commits what is done for <paramref name="partitions"/>.</summary>
    private void FinishInFlight(IReadOnlyCollection<int> partitions)
    {
        _tracker.Seal();
        var deadline = Stopwatch.StartNew();
        while ((_producer.Flush(TimeSpan.FromMilliseconds(100)) > 0 || _refused.Waiting > 0) && deadline.Elapsed < _options.ShutdownTimeout
               && _tracker.Failure == 0 && _producer.FatalError is null)
        {
            DeadLetterRefused();
        }

        _tracker.Advance();
        if (_tracker.Pending > 0)
        {
            _log.Unacknowledged(_tracker.Pending);
        }

        Commit(partitions);
    }

    private void Commit(IReadOnlyCollection<int> partitions)
    {
        _tracker.Advance();
        var offsets = partitions
            .Where(p => _tracker.Committable.TryGetValue(p, out var next) && (!_committed.TryGetValue(p, out var done) || done != next))
            .Select(p => KeyValuePair.Create(p, _tracker.Committable[p]))
            .ToList();
        if (offsets.Count == 0)
        {
            return;
        }

        var error = _consumer.Commit(offsets);
        if (error != 0)
        {
            // Not fatal: the offsets are committed next time, or the records are read again by the partition's
            // next owner: duplicates, never loss.
            _log.CommitFailed(NativeProducer.Describe(error));
            return;
        }

        Interlocked.Increment(ref _commits);
        foreach (var (partition, offset) in offsets)
        {
            _committed[partition] = offset;
        }
    }

    private void Forget(IReadOnlyList<int> partitions)
    {
        _tracker.Forget(partitions);
        foreach (var partition in partitions)
        {
            _committed.Remove(partition);
        }

        _assignment = [.. _assignment.Except(partitions)];
    }

    private void ThrowIfFailed()
    {
        var reason = _producer.FatalError ?? _consumer.FatalError
                     ?? (_tracker.Failure != 0 ? $"{NativeProducer.Describe(_tracker.Failure)} ({_tracker.Failure})" : null);
        if (reason is not null)
        {
            throw new KafkaDeliveryException($"the detector stopped: {reason}; offsets after the failure were not committed, so those inputs will be read again");
        }
    }

    private string Describe(IReadOnlyList<int> partitions) =>
        partitions.Count == 0 ? "no partitions" : $"{_topics.Transactions} [{string.Join(",", partitions.Order())}]";

    /// <summary>Rebalances, on the consuming thread: in-flight work is finished and committed before partitions go.</summary>
    private sealed class Listener(KafkaDetector detector) : IRebalanceListener
    {
        public void OnAssigned(IReadOnlyList<int> partitions)
        {
            detector._assignment = [.. detector._assignment.Union(partitions)];
            if (detector._log.IsEnabled(LogLevel.Information))
            {
                detector._log.Assigned(detector.Describe(partitions));
            }
        }

        public void OnRevoked(IReadOnlyList<int> partitions)
        {
            detector.FinishInFlight([.. partitions]);
            detector.Forget(partitions);
            if (detector._log.IsEnabled(LogLevel.Information))
            {
                detector._log.Revoked(detector.Describe(partitions));
            }
        }

        public void OnLost(IReadOnlyList<int> partitions)
        {
            detector.Forget(partitions);
            if (detector._log.IsEnabled(LogLevel.Warning))
            {
                detector._log.Lost(detector.Describe(partitions));
            }
        }
    }
}
