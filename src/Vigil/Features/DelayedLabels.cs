namespace Vigil.Features;

/// <summary>
/// Labels read together with their transactions (a dataset file) held back until their report time, so that a batch
/// computation sees exactly the labels a stream would have seen by then.
/// </summary>
/// <remarks>
/// Transactions come in event-time order and the delay is fixed, so labels fall due in the order they were held: a FIFO.
/// A label due at exactly a transaction's time is applied before that transaction, as the stream releases it before.
/// </remarks>
public sealed class DelayedLabels(TimeSpan delay)
{
    private readonly long _delayMs = (long)delay.TotalMilliseconds;
    private readonly Queue<(long DueMs, long? Customer, long? Terminal, long TimeMs)> _held = new();

    public int Pending => _held.Count;

    /// <summary>Holds the label of a transaction made at <paramref name="timeMs"/>; only fraud changes any feature, so only fraud is held.</summary>
    public void Hold(long? customer, long? terminal, long timeMs, bool fraud)
    {
        if (fraud)
        {
            _held.Enqueue((timeMs + _delayMs, customer, terminal, timeMs));
        }
    }

    /// <summary>Applies every label whose report time has come by <paramref name="nowMs"/>.</summary>
    public void ReleaseDue(long nowMs, FeatureEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        while (_held.TryPeek(out var next) && next.DueMs <= nowMs)
        {
            _held.Dequeue();
            engine.ApplyLabel(next.Customer, next.Terminal, next.TimeMs, fraud: true);
        }
    }
}
