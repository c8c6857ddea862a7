using System.Threading.Channels;

namespace Vigil.Web.Dashboard;

/// <summary>One connected browser: a bounded queue of Server-Sent Events messages that drops what it cannot hold.</summary>
/// <remarks>A slow or stalled browser misses messages (and is told how many); it never slows anyone else.</remarks>
public sealed class SseClient
{
    private readonly Channel<ReadOnlyMemory<byte>> _queue;
    private long _dropped;

    internal SseClient(int capacity)
    {
        _queue = Channel.CreateBounded<ReadOnlyMemory<byte>>(
            new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite },
            _ => Interlocked.Increment(ref _dropped));
    }

    public ChannelReader<ReadOnlyMemory<byte>> Reader => _queue.Reader;

    /// <summary>Messages this browser missed because it read too slowly.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal void Send(ReadOnlyMemory<byte> message) => _queue.Writer.TryWrite(message);

    internal void Close() => _queue.Writer.TryComplete();
}
