using Confluent.Kafka;
using Vigil.Kafka.Sources;
using Vigil.Kafka.State;
using Vigil.Runtime.Topics;

namespace Vigil.Kafka.Features;

/// <summary>
/// A group member's one writer to an output topic, shared by all its tasks: each embedded partition goes to the same
/// partition of the Kafka topic, and batches are completed once acknowledged.
/// </summary>
/// <remarks>
/// One producer and one flush a round for every task makes each Kafka partition's producer batches carry every task's
/// records. With a writer per task, eight customer tasks each sent a few records a round to every repartition
/// partition: batches of a few records, eight times the requests, and readers that fetch a batch a partition at a
/// time (librdkafka's mock cluster answers a fetch with one batch a partition) starved behind a growing backlog.
/// While a round's flush waits for the brokers, the next round's records gather: the busier the member, the larger
/// its batches.
/// </remarks>
internal sealed class MemberWriter : IAsyncDisposable
{
    /// <summary>Embedded batches one task's outputs may put into a round before the flush: one busy task does not hold the others' back.</summary>
    internal const int MaxBatchesPerRound = 256;

    private static readonly RecordHeader[] ReplayHeaders = [new(ReplayedOutputs.Header, "true")];

    private readonly KafkaRecordWriter _writer;
    private readonly Lock _lock = new();
    private readonly List<Output> _outputs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _failure;

    /// <param name="writer">Owned: disposed with this.</param>
    public MemberWriter(KafkaRecordWriter writer)
    {
        _writer = writer;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Records the brokers acknowledged, for every task so far.</summary>
    public long Delivered => _writer.Delivered;

    /// <summary>
    /// Writes a task's output partitions until each is completed and drained; the task completes when their last batch
    /// is acknowledged, fails with the writer, and is canceled by <paramref name="abort"/> (a task that stops waiting for
    /// an unreachable cluster, or that another member owns now: what it already handed over may still be written).
    /// </summary>
    /// <param name="replays">Says which records are written again after a takeover, to mark them; none when null.</param>
    public Task WriteAsync(IReadOnlyList<Subscription> partitions, ReplayedOutputs? replays, CancellationToken abort)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var output = new Output(partitions, replays);
        lock (_lock)
        {
            if (_failure is not null)
            {
                return Task.FromException(_failure);
            }

            _outputs.Add(output);
            Changed();
        }

        output.Registration = abort.Register(() =>
        {
            output.Aborted = true;
            if (output.Done.TrySetCanceled(abort))
            {
                Detach(output);
            }
        });
        return output.Done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        lock (_lock)
        {
            Changed(); // a loop with no task to wait for waits only for this
        }

        await _loop;
        _writer.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var written = new List<(Output Output, Subscription Partition, RecordBatch Batch)>();
        var waits = new List<Task>();
        try
        {
            while (true)
            {
                var (outputs, changed) = Attached();
                written.Clear();
                foreach (var output in outputs)
                {
                    Take(output, written);
                }

                var wrote = written.Count > 0;
                if (wrote)
                {
                    await _writer.FlushAsync(_stop.Token);
                    foreach (var (output, partition, batch) in written)
                    {
                        if (!output.Aborted)
                        {
                            partition.Complete(batch);
                        }
                    }
                }

                waits.Clear();
                waits.Add(changed);
                foreach (var output in outputs)
                {
                    if (output.Drained)
                    {
                        Detach(output);
                        output.Done.TrySetResult();
                    }
                    else if (!wrote)
                    {
                        output.AddWaits(waits, _stop.Token);
                    }
                }

                if (!wrote)
                {
                    await Task.WhenAny(waits);
                    _stop.Token.ThrowIfCancellationRequested();
                }
            }
        }
        catch (Exception e)
        {
            Fail(e is OperationCanceledException && _stop.IsCancellationRequested ? new ObjectDisposedException(nameof(MemberWriter)) : e);
        }
    }

    /// <summary>Writes what waits on a task's partitions, up to <see cref="MaxBatchesPerRound"/> batches.</summary>
    private void Take(Output output, List<(Output, Subscription, RecordBatch)> written)
    {
        var taken = 0;
        foreach (var partition in output.Partitions)
        {
            while (taken < MaxBatchesPerRound && partition.Partition.Reader.TryRead(out var batch))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var marked = output.Replays?.IsReplay(batch.Value(i)) == true;
                    _writer.Write(batch.Partition, batch.Key(i), batch.Value(i), marked ? ReplayHeaders : null);
                }

                written.Add((output, partition.Partition, batch));
                taken++;
            }
        }
    }

    private (Output[] Outputs, Task Changed) Attached()
    {
        lock (_lock)
        {
            return ([.. _outputs], _changed.Task);
        }
    }

    private void Detach(Output output)
    {
        lock (_lock)
        {
            _outputs.Remove(output);
            Changed();
        }

        output.Registration.Dispose();
    }

    /// <summary>Under the lock: wakes the loop to see the outputs again.</summary>
    private void Changed()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private void Fail(Exception failure)
    {
        Output[] outputs;
        lock (_lock)
        {
            _failure = failure;
            outputs = [.. _outputs];
            _outputs.Clear();
        }

        foreach (var output in outputs)
        {
            output.Done.TrySetException(failure);
            output.Registration.Dispose();
        }
    }

    /// <summary>One task's output partitions, with a wait for each that lasts until it has something (one at a time: waiters would pile up on a quiet partition).</summary>
    private sealed class Output(IReadOnlyList<Subscription> partitions, ReplayedOutputs? replays)
    {
        public Waited[] Partitions { get; } = [.. partitions.Select(p => new Waited(p))];

        public ReplayedOutputs? Replays { get; } = replays;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        public volatile bool Aborted;

        /// <summary>Every partition completed by the task and read to its end (so each batch was written, flushed and completed in an earlier round).</summary>
        public bool Drained => Partitions.All(p => p.Partition.Reader.Completion.IsCompleted);

        public void AddWaits(List<Task> waits, CancellationToken stop)
        {
            foreach (var partition in Partitions)
            {
                if (partition.Wait is not { IsCompleted: false })
                {
                    partition.Wait = partition.Partition.Reader.WaitToReadAsync(stop).AsTask();
                }

                waits.Add(partition.Wait);
            }
        }
    }

    private sealed class Waited(Subscription partition)
    {
        public Subscription Partition { get; } = partition;

        public Task<bool>? Wait { get; set; }
    }
}
