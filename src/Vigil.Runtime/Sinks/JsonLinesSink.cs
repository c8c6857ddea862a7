using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Sinks;

/// <summary>Writes every record of a topic as one line of a JSON Lines file named <c>&lt;topic&gt;.jsonl</c>.</summary>
/// <remarks>
/// A blocking subscriber: if the disk is slower than the pipeline, the pipeline slows down; nothing is dropped.
/// Values are written as they are (Vigil's outputs are one-line JSON). A record with headers, such as a dead
/// letter, is written as an envelope <c>{"key":…,"headers":{…},"value":…}</c>, its value as text when it is
/// UTF-8 and as <c>value_base64</c> when not.
/// </remarks>
public sealed class JsonLinesSink : IAsyncDisposable
{
    public const string Group = "vigil-jsonl-sink";

    private readonly IReadOnlyList<Subscription> _subscriptions;
    private readonly FileStream _file;
    private readonly Lock _writeLock = new();
    private long _records;
    private volatile bool _failed;

    public JsonLinesSink(Topic topic, string directory, int queueCapacity = 8)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, topic.Name + ".jsonl");
        _file = new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 20);
        _subscriptions = topic.Subscribe(Group, SubscriptionMode.Blocking, queueCapacity);
    }

    public string Path { get; }

    public long Records => Interlocked.Read(ref _records);

    public long Bytes { get; private set; }

    /// <summary>Writes until the topic completes, then flushes the file; fails when the file cannot be written.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Task.WhenAll(_subscriptions.Select(s => Task.Run(() => DrainAsync(s, cancellationToken), CancellationToken.None)));
            await _file.FlushAsync(cancellationToken);
        }
        catch (IOException e)
        {
            _failed = true;
            throw new IOException($"cannot write {Path}: {e.Message}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _file.DisposeAsync();
        }
        catch (IOException) when (_failed)
        {
            // The failure was reported by RunAsync; closing only repeats it.
        }
    }

    private async Task DrainAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        var lines = new ArrayBufferWriter<byte>(1 << 16);
        var reader = subscription.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var batch))
            {
                lines.ResetWrittenCount();
                WriteLines(batch, lines);
                lock (_writeLock)
                {
                    _file.Write(lines.WrittenSpan);
                    Bytes += lines.WrittenCount;
                }

                Interlocked.Add(ref _records, batch.Count);
                subscription.Complete(batch);
            }
        }
    }

    internal static void WriteLines(RecordBatch batch, ArrayBufferWriter<byte> lines)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var headers = batch.Headers(i);
            if (headers is null)
            {
                lines.Write(batch.Value(i));
            }
            else
            {
                WriteEnvelope(batch.Key(i), headers, batch.Value(i), lines);
            }

            lines.Write("\n"u8);
        }
    }

    private static void WriteEnvelope(
        ReadOnlySpan<byte> key, IReadOnlyList<RecordHeader> headers, ReadOnlySpan<byte> value, ArrayBufferWriter<byte> lines)
    {
        using var json = new Utf8JsonWriter(lines, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        WriteBytes(json, "key", key);
        json.WriteStartObject("headers");
        foreach (var header in headers)
        {
            json.WriteString(header.Key, Utf8.IsValid(header.Value) ? header.ValueText : Convert.ToBase64String(header.Value));
        }

        json.WriteEndObject();
        WriteBytes(json, "value", value);
        json.WriteEndObject();
    }

    private static void WriteBytes(Utf8JsonWriter json, string name, ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            json.WriteString(name, bytes);
        }
        else
        {
            json.WriteBase64String(name + "_base64", bytes);
        }
    }
}
