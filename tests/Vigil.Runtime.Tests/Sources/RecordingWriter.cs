using System.Text;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Tests.Sources;

/// <summary>Records what a publisher writes, in order, across several writers sharing one log.</summary>
internal sealed class RecordingWriter(string name, List<(string Writer, string Key, string Value, IReadOnlyList<RecordHeader>? Headers)> log) : IRecordWriter
{
    public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers = null) =>
        log.Add((name, Encoding.UTF8.GetString(key), Encoding.UTF8.GetString(value), headers));

    public ValueTask PublishAsync(bool partialBatches, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
