using System.Diagnostics;
using Confluent.Kafka;
using Vigil.Detection;
using Vigil.Kafka.Configuration;
using Vigil.Rules;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Pipeline;
using Vigil.Transactions;

namespace Vigil.Kafka.Detection;

/// <summary>
/// A detector in a Kafka consumer group: reads the transactions topic, decides every record and writes it to the
/// legit, fraud or dead-letter topic. At-least-once, with no loss: an input offset is committed only once the
/// brokers have acknowledged its output; on a rebalance and on stop, in-flight outputs are awaited and what is done
/// is committed. This class is the one place that owns produce and commit.
/// </summary>
public sealed class KafkaDetector : IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan WindowLength = TimeSpan.FromMilliseconds(5);
    private const int WindowRecords = 5_000;

    private readonly KafkaClients _clients;
    private readonly TopicOptions _topics;
    private readonly Action<string> _log;
    private readonly DetectionProcessor _processor;
    private readonly DeliveryTracker _tracker = new();
    private readonly Dictionary<TopicPartition, long> _committed = [];
    private readonly Stopwatch _clock = new();
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private byte[] _scratch = new byte[64 * 1024];
    private long _consumed;
    private long _legit;
    private long _fraud;
    private long _deadLetters;
    private long _lag;
    private long _commits;
    private volatile TopicPartition[] _assignment = [];

    public KafkaDetector(KafkaClients clients, TopicOptions topics, RuleSet rules, int maxRecordBytes = TransactionDecoder.DefaultMaxRecordBytes)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(rules);
        _clients = clients;
        _topics = topics;
        _log = clients.Report;
        _processor = new DetectionProcessor(new Detector(rules), new TransactionDecoder(maxRecordBytes));
        _producer = clients.Producer("detector");
        try
        {
            KafkaClients.Prime(_producer, [topics.Legit, topics.Fraud, topics.DeadLetter], TimeSpan.FromSeconds(30));
            _consumer = clients.Consumer("detector", clients.Options.GroupId, builder => builder
                .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
                .SetPartitionsRevokedHandler((consumer, partitions) => OnRevoked(consumer, partitions.Select(p => p.TopicPartition).ToList()))
                .SetPartitionsLostHandler((_, partitions) => OnLost(partitions.Select(p => p.TopicPartition).ToList()))
                .SetErrorHandler((_, error) => OnError(error)));
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

    /// <summary>The partitions of the transactions topic this instance owns now.</summary>
    public IReadOnlyList<TopicPartition> Assignment => _assignment;

    public string GroupId => _clients.Options.GroupId;

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
        _processor.Latency.MaxNanoseconds);

    /// <summary>Consumes until <paramref name="stop"/> is cancelled, then finishes in-flight work, commits and leaves the group.</summary>
    /// <exception cref="KafkaDeliveryException">The brokers refused an output; nothing after it was committed.</exception>
    public Task RunAsync(CancellationToken stop) =>
        Task.Factory.StartNew(() => Run(stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public void Dispose()
    {
        _consumer.Dispose();
        _producer.Dispose();
    }

    private void Run(CancellationToken stop)
    {
        _clock.Start();
        _consumer.Subscribe(_topics.Transactions);
        var windowStart = Stopwatch.GetTimestamp();
        var lastCommit = Stopwatch.GetTimestamp();
        var lastLag = Stopwatch.GetTimestamp();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var result = _consumer.Consume(PollTimeout);
                if (result is not null)
                {
                    Process(result);
                }

                ThrowIfRefused();
                var now = Stopwatch.GetTimestamp();
                if (_tracker.OpenCount >= WindowRecords || Stopwatch.GetElapsedTime(windowStart, now) >= WindowLength)
                {
                    _tracker.Seal();
                    windowStart = now;
                }

                if (Stopwatch.GetElapsedTime(lastCommit, now) >= _clients.Options.CommitInterval)
                {
                    Commit(_assignment);
                    lastCommit = now;
                }

                if (Stopwatch.GetElapsedTime(lastLag, now) >= TimeSpan.FromSeconds(1))
                {
                    UpdateLag();
                    lastLag = now;
                }
            }

            FinishInFlight(_assignment);
            _consumer.Close();
        }
        finally
        {
            _clock.Stop();
        }
    }

    private void Process(ConsumeResult<byte[], byte[]> result)
    {
        Interlocked.Increment(ref _consumed);
        var input = result.Message;
        var value = input.Value ?? [];
        var route = _processor.Decide(value, result.Topic, result.Partition.Value, result.Offset.Value, out var deadLetter);
        var message = new Message<byte[], byte[]> { Key = input.Key, Timestamp = input.Timestamp };
        string topic;
        if (route == Route.DeadLetter)
        {
            topic = _topics.DeadLetter;
            message.Value = value;
            message.Headers = new Headers();
            foreach (var header in input.Headers ?? [])
            {
                message.Headers.Add(header.Key, header.GetValueBytes());
            }

            foreach (var header in deadLetter!)
            {
                message.Headers.Add(header.Key, header.Value);
            }

            Interlocked.Increment(ref _deadLetters);
        }
        else
        {
            if (input.Timestamp.Type != TimestampType.NotAvailable)
            {
                var milliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - input.Timestamp.UnixTimestampMs;
                _processor.RecordLatency(Math.Max(0, milliseconds) * 1_000_000);
            }

            if (_scratch.Length < _processor.MaxOutputLength)
            {
                _scratch = new byte[_processor.MaxOutputLength];
            }

            message.Value = _scratch.AsSpan(0, _processor.Encode(_scratch)).ToArray();
            topic = route == Route.Fraud ? _topics.Fraud : _topics.Legit;
            Interlocked.Increment(ref route == Route.Fraud ? ref _fraud : ref _legit);
        }

        _tracker.Track(result.TopicPartition, result.Offset.Value);
        Produce(topic, message);
    }

    /// <summary>Produces, waiting for room when librdkafka's queue is full (the brokers set the pace).</summary>
    private void Produce(string topic, Message<byte[], byte[]> message)
    {
        while (true)
        {
            try
            {
                _producer.Produce(topic, message, _tracker.Handler);
                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                Thread.Sleep(1);
                ThrowIfRefused();
            }
        }
    }

    /// <summary>Waits for every output in flight to be acknowledged, then commits what is done for <paramref name="partitions"/>.</summary>
    private void FinishInFlight(IReadOnlyCollection<TopicPartition> partitions)
    {
        _tracker.Seal();
        var deadline = Stopwatch.StartNew();
        while (_producer.Flush(TimeSpan.FromMilliseconds(100)) > 0 && deadline.Elapsed < _clients.Options.ShutdownTimeout && _tracker.Failure is null)
        {
        }

        _tracker.Advance();
        if (_tracker.Pending > 0)
        {
            _log($"kafka: {_tracker.Pending} windows of outputs were not acknowledged in time; their inputs stay uncommitted and will be read again");
        }

        Commit(partitions);
    }

    private void Commit(IReadOnlyCollection<TopicPartition> partitions)
    {
        _tracker.Advance();
        var offsets = partitions
            .Where(p => _tracker.Committable.TryGetValue(p, out var next) && (!_committed.TryGetValue(p, out var done) || done != next))
            .Select(p => new TopicPartitionOffset(p, _tracker.Committable[p]))
            .ToList();
        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            _consumer.Commit(offsets);
            Interlocked.Increment(ref _commits);
            foreach (var offset in offsets)
            {
                _committed[offset.TopicPartition] = offset.Offset.Value;
            }
        }
        catch (KafkaException e)
        {
            // Not fatal: the offsets are committed next time, or the records are read again by the partition's
            // next owner: duplicates, never loss.
            _log($"kafka: commit failed ({e.Error.Reason}); uncommitted records may be decided twice");
        }
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        _assignment = [.. _assignment.Union(partitions)];
        _log($"kafka: assigned {Describe(partitions)}");
    }

    private void OnRevoked(IConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions)
    {
        FinishInFlight(partitions);
        _tracker.Forget(partitions);
        ForgetCommitted(partitions);
        _assignment = [.. _assignment.Except(partitions)];
        _log($"kafka: revoked {Describe(partitions)} after committing what was done");
    }

    private void OnLost(List<TopicPartition> partitions)
    {
        _tracker.Forget(partitions);
        ForgetCommitted(partitions);
        _assignment = [.. _assignment.Except(partitions)];
        _log($"kafka: lost {Describe(partitions)}; their uncommitted records will be read again by their new owner");
    }

    private void ForgetCommitted(List<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _committed.Remove(partition);
        }
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            _log($"kafka fatal: {error.Reason}");
        }
    }

    private void UpdateLag()
    {
        long lag = 0;
        foreach (var partition in _assignment)
        {
            var watermarks = _consumer.GetWatermarkOffsets(partition);
            var position = _consumer.Position(partition);
            if (watermarks.High.Value >= 0 && position.Value >= 0)
            {
                lag += Math.Max(0, watermarks.High.Value - position.Value);
            }
        }

        Interlocked.Exchange(ref _lag, lag);
    }

    private void ThrowIfRefused()
    {
        if (_tracker.Failure is { } failure)
        {
            throw new KafkaDeliveryException(
                $"the brokers refused an output: {failure.Reason} ({failure.Code}); offsets after it were not committed, so its input will be read again");
        }
    }

    private static string Describe(List<TopicPartition> partitions) =>
        partitions.Count == 0 ? "no partitions" : string.Join(", ", partitions.GroupBy(p => p.Topic).Select(g => $"{g.Key} [{string.Join(",", g.Select(p => p.Partition.Value))}]"));
}
