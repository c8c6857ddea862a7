using System.Text;
using Confluent.Kafka;
using Vigil.Kafka.Bridge;
using Vigil.Kafka.Configuration;
using Vigil.Runtime.Rules;

namespace Vigil.Kafka.Detection;

/// <summary>
/// Follows the rules control topic (Flink's dynamic-rules pattern): every message is a whole rules document, offered to
/// <see cref="LiveRules"/> in order. Each detector reads every partition from the beginning, outside any consumer
/// group, so all of them see every update and a restarted one comes back to the latest rule set that compiles.
/// </summary>
/// <remarks>
/// List files a document names are read from the detector's working directory; <c>vigil rules publish</c> inlines them.
/// With a <see cref="RuleSignature"/>, a document is offered only when its signature verifies; the others are rejected,
/// logged and counted in <see cref="Unverified"/>, and the rules already running go on deciding.
/// </remarks>
public sealed class RuleTopicFollower : IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly string _topic;
    private readonly LiveRules _rules;
    private readonly List<int> _partitions;
    private readonly RuleSignature? _signature;
    private long _unverified;

    /// <param name="signature">Verifies each document; null accepts unsigned ones (<c>--unsigned-rules</c>).</param>
    public RuleTopicFollower(KafkaClients clients, string topic, LiveRules rules, RuleSignature? signature)
    {
        _topic = topic;
        _rules = rules;
        _signature = signature;
        (_consumer, _partitions) = KafkaCopy.Follower(clients, "rules", topic);
    }

    /// <summary>Messages read so far.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    private long _messages;

    /// <summary>Documents rejected because their signature did not verify (unsigned, altered, or another key's).</summary>
    public long Unverified => Interlocked.Read(ref _unverified);

    /// <summary>Offers every message from the beginning, then each new one, until <paramref name="stop"/>.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.Factory.StartNew(() => Run(stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public void Dispose() => _consumer.Dispose();

    /// <summary>
    /// Applies every message already on the topic before returning, so that a detector starting now decides its first
    /// record with the latest rule set; gives up waiting after <paramref name="timeout"/>.
    /// </summary>
    public void CatchUp(TimeSpan timeout)
    {
        var ends = _partitions.ToDictionary(p => p, p => _consumer.QueryWatermarkOffsets(new TopicPartition(_topic, p), timeout).High.Value);
        Assign();
        var next = _partitions.ToDictionary(p => p, _ => 0L);
        var deadline = DateTime.UtcNow + timeout;
        while (next.Any(n => n.Value < ends[n.Key]) && DateTime.UtcNow < deadline)
        {
            if (Poll() is { } result)
            {
                next[result.Partition.Value] = result.Offset.Value + 1;
            }
        }
    }

    private bool _assigned;

    private void Assign()
    {
        if (!_assigned)
        {
            _consumer.Assign(_partitions.Select(p => new TopicPartitionOffset(_topic, p, Offset.Beginning)));
            _assigned = true;
        }
    }

    private void Run(CancellationToken stop)
    {
        Assign();
        while (!stop.IsCancellationRequested)
        {
            Poll();
        }
    }

    /// <summary>Reads one message, if one comes within the poll timeout, and offers it (an empty one is passed over).</summary>
    private ConsumeResult<byte[], byte[]>? Poll()
    {
        if (_consumer.Consume(PollTimeout) is not { } result)
        {
            return null;
        }

        Interlocked.Increment(ref _messages);
        if (result.Message.Value is { Length: > 0 } value)
        {
            var origin = $"{result.Topic}[{result.Partition.Value}]@{result.Offset.Value}";
            if (_signature?.Refuses(value, Signature(result.Message.Headers)) is { } refused)
            {
                Interlocked.Increment(ref _unverified);
                _rules.Offer(_ => throw new RulesFileException(refused), origin);
                return result;
            }

            var text = Encoding.UTF8.GetString(value);
            _rules.Offer(features => RulesDocument.Parse(text, origin, Directory.GetCurrentDirectory(), features), origin);
        }

        return result;
    }

    /// <summary>The record's signature header, or null when it has none (or more than one: which would be the right one?).</summary>
    private static string? Signature(Headers? headers)
    {
        string? found = null;
        foreach (var header in headers ?? [])
        {
            if (header.Key == RuleSignature.Header)
            {
                if (found is not null)
                {
                    return null;
                }

                found = Encoding.UTF8.GetString(header.GetValueBytes());
            }
        }

        return found;
    }
}
