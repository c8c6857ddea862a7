using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.State;
using Vigil.Runtime.Features;

namespace Vigil.Kafka.Features;

/// <summary>
/// What the predecessors of restored customer tasks sent to the repartition topic after their snapshots, read once for
/// all the tasks a member takes over in one rebalance rather than once per task (every task's records are on every
/// partition, so each would read the whole topic).
/// </summary>
/// <remarks>
/// <para>A rebalance's read ends where the topic ended when its first task asked: after the predecessors stopped, so
/// it holds everything they sent. It starts at the earliest snapshot position asked for; records of a task from before
/// its own snapshot are found too, and harmless: its restored stage never computes them again.</para>
/// <para>A task's set is handed over once; records read later, for a task asking from earlier positions, are earlier
/// than the positions that task's set was read from, so they are not added to it.</para>
/// </remarks>
internal sealed class RepartitionScan(KafkaClients clients, string topic, int partitions, ILogger log)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, SentBefore> _bySource = [];
    private readonly HashSet<int> _handedOut = [];
    private long[] _from = [];
    private int _rebalance = -1;

    /// <param name="rebalance">Numbers the rebalance that gave the task: a new one reads afresh.</param>
    /// <param name="positions">Where the task's snapshot says the repartition topic's partitions ended.</param>
    public SentBefore SentAfter(int rebalance, int source, IEnumerable<InputPosition> positions)
    {
        lock (_lock)
        {
            using var consumer = clients.Consumer("repartition-scan", "vigil-repartition-scan");
            if (rebalance != _rebalance)
            {
                _rebalance = rebalance;
                _bySource.Clear();
                _handedOut.Clear();
                _from = [.. Enumerable.Range(0, partitions).Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value)];
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            long read = 0;
            var ranges = new List<(TopicPartition, long, long)>();
            foreach (var position in positions.Where(p => p.Topic == topic && p.Offset < _from[p.Partition]))
            {
                ranges.Add((new TopicPartition(topic, position.Partition), position.Offset, _from[position.Partition]));
                _from[position.Partition] = position.Offset;
            }

            foreach (var result in LogReader.Read(consumer, ranges, $"reading what task {source} sent after its last snapshot", CancellationToken.None))
            {
                read++;
                var value = result.Message.Value ?? [];
                if (value.Length >= 3 && Repartition.Source(value) is var writer && !_handedOut.Contains(writer))
                {
                    if (!_bySource.TryGetValue(writer, out var sent))
                    {
                        _bySource[writer] = sent = new SentBefore();
                    }

                    sent.Add(value, writer);
                }
            }

            _handedOut.Add(source);
            var found = _bySource.TryGetValue(source, out var own) ? own : new SentBefore();
            log.SentBeforeFound(source, found.Pending, read, clock.Elapsed.TotalSeconds);
            return found;
        }
    }
}
