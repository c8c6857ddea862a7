using System.Diagnostics;
using Vigil.Simulation.Pacing;
using Vigil.Simulation.Seed;

namespace Vigil.Runtime.Pipeline;

/// <summary>Runs a generator into a topic (embedded or Kafka) at the pacer's rate until stopped or a record limit is reached.</summary>
/// <remarks>
/// Records due at each wake-up are produced together and published at once, so even at high rates the
/// source sleeps between bursts of about a millisecond instead of once per record.
/// </remarks>
public sealed class GeneratorSource
{
    private const int MaxRecordsPerTurn = 4096;
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(1);

    private readonly SeedTransactionGenerator _generator;
    private readonly Pacer _pacer;
    private readonly IRecordWriter _output;
    private readonly long _limit;
    private long _produced;

    /// <param name="limit">Records to produce before stopping; <see cref="long.MaxValue"/> for no limit.</param>
    public GeneratorSource(SeedTransactionGenerator generator, Pacer pacer, IRecordWriter output, long limit = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _generator = generator;
        _pacer = pacer;
        _output = output;
        _limit = limit;
    }

    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Produces until <paramref name="stop"/> is cancelled or the limit is reached, then publishes what is pending.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var buffer = new byte[SeedTransactionGenerator.MaxRecordLength];
        while (!stop.IsCancellationRequested && _produced < _limit)
        {
            var now = Stopwatch.GetTimestamp();
            var due = _pacer.Take(now, (int)Math.Min(MaxRecordsPerTurn, _limit - _produced));
            for (var i = 0; i < due; i++)
            {
                var length = _generator.Next(buffer, out var key);
                _output.Write(buffer.AsSpan(key), buffer.AsSpan(0, length));
            }

            Interlocked.Add(ref _produced, due);

            // Unpaced, publish only full batches (throughput); paced, publish at once (latency).
            await _output.PublishAsync(partialBatches: !_pacer.IsUnlimited, CancellationToken.None);
            if (!_pacer.IsUnlimited && due < MaxRecordsPerTurn)
            {
                var wait = TimeSpan.FromSeconds((double)_pacer.TicksUntilNext(Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
                try
                {
                    await Task.Delay(wait > MinimumSleep ? wait : MinimumSleep, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await _output.FlushAsync(CancellationToken.None);
    }
}
