using System.Text;
using System.Text.Json;
using Vigil.Runtime.Sinks;
using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Tests.Sinks;

public sealed class JsonLinesSinkTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-sink-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Sink_writes_one_line_per_record_and_an_envelope_for_records_with_headers()
    {
        var topic = new EmbeddedBroker().CreateTopic("out.topic", partitions: 2);
        await using var sink = new JsonLinesSink(topic, _directory);
        var running = sink.RunAsync();
        var producer = topic.CreateProducer();

        producer.Append(0, "k1"u8, """{"amount":1}"""u8);
        producer.Append(1, "k2"u8, "not json\nat all"u8, [new RecordHeader("vigil.error.reason", "not valid JSON")]);
        producer.Append(1, default, [0xFF, 0x00, 0x41], [new RecordHeader("vigil.error.code", "not_utf8")]);
        await producer.FlushAsync();
        topic.Complete();
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Path.Combine(_directory, "out.topic.jsonl"), sink.Path);
        var lines = await File.ReadAllLinesAsync(sink.Path);
        Assert.Equal(3, lines.Length);
        Assert.Equal(3, sink.Records);
        Assert.Contains("""{"amount":1}""", lines);

        var envelopes = lines.Where(l => l.Contains("headers", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var text = envelopes.Single(e => e.TryGetProperty("value", out _));
        Assert.Equal("k2", text.GetProperty("key").GetString());
        Assert.Equal("not json\nat all", text.GetProperty("value").GetString());
        Assert.Equal("not valid JSON", text.GetProperty("headers").GetProperty("vigil.error.reason").GetString());
        var binary = envelopes.Single(e => e.TryGetProperty("value_base64", out _));
        Assert.Equal([0xFF, 0x00, 0x41], binary.GetProperty("value_base64").GetBytesFromBase64());
    }

    [Fact]
    public async Task Line_writer_ends_every_record_with_a_newline()
    {
        var topic = new EmbeddedBroker().CreateTopic("t", 1);
        var sub = topic.Subscribe("g")[0];
        var producer = topic.CreateProducer();
        producer.Append(0, default, "{}"u8);
        producer.Append(0, default, "[]"u8);
        await producer.FlushAsync();
        Assert.True(sub.Reader.TryRead(out var batch));

        var lines = new System.Buffers.ArrayBufferWriter<byte>();
        JsonLinesSink.WriteLines(batch, lines);

        Assert.Equal("{}\n[]\n", Encoding.UTF8.GetString(lines.WrittenSpan));
    }
}
