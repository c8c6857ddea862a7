namespace Vigil.Runtime.Sources;

/// <summary>
/// A point in event time that a source must not pass until something is done: the retraining loop stops the simulated
/// clock while it trains a model on what came before, so that a run gives the same models at any speed.
/// </summary>
public interface IEventTimeBarrier
{
    /// <summary>The event time (Unix milliseconds) of the next stop; <see cref="long.MaxValue"/> for none.</summary>
    long NextMs { get; }

    /// <summary>
    /// Called with everything before <paramref name="eventTimeMs"/> published and flushed (the labels due by then
    /// included); returns when the source may go on, with <see cref="NextMs"/> moved past <paramref name="eventTimeMs"/>.
    /// </summary>
    ValueTask ReachedAsync(long eventTimeMs, long labelsReleased, CancellationToken cancel);
}
