using System.Text;
using Confluent.Kafka;
using Vigil.Cli.Tests.Commands;
using Vigil.Runtime.Pipeline;
using Vigil.Testing;

namespace Vigil.Cli.Tests.Services;

/// <summary>Trace context through the mock cluster: a producer's traceparent in, the detector's span out over OTLP, and its context on the output.</summary>
public sealed class TracingTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ParentSpan = "00f067aa0ba902b7";

    [Fact]
    public async Task A_traced_record_s_decision_is_a_child_span_exported_over_otlp_and_its_output_carries_that_span()
    {
        using var cluster = MockClusters.WithVigilTopics(partitions: 1);
        var topics = new TopicOptions();
        using var collector = new FakeHttpServer(defaultBody: string.Empty);
        using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            var traced = new Headers { { "traceparent", Encoding.ASCII.GetBytes($"00-{TraceId}-{ParentSpan}-01") }, { "app", "web"u8.ToArray() } };
            await producer.ProduceAsync(topics.Transactions, new() { Key = "c1"u8.ToArray(), Value = """{"transaction_id":"traced","amount":5000}"""u8.ToArray(), Headers = traced });
            await producer.ProduceAsync(topics.Transactions, new() { Key = "c1"u8.ToArray(), Value = """{"transaction_id":"untraced","amount":10}"""u8.ToArray() });
            var broken = new Headers { { "traceparent", "00-not-a-trace"u8.ToArray() } };
            await producer.ProduceAsync(topics.Transactions, new() { Key = "c1"u8.ToArray(), Value = """{"transaction_id":"broken-parent","amount":11}"""u8.ToArray(), Headers = broken });
            var huge = new Headers { { "traceparent", Encoding.ASCII.GetBytes("00-" + new string('a', 20_000)) } };
            await producer.ProduceAsync(topics.Transactions, new() { Key = "c1"u8.ToArray(), Value = """{"transaction_id":"huge-parent","amount":12}"""u8.ToArray(), Headers = huge });
        }

        using var stop = new CancellationTokenSource();
        var environment = new System.Collections.Hashtable { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url.ToString(), ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" };
        var detect = CliRunner.RunAsync(["detect", "--kafka", cluster.BootstrapServers], environment, stop.Token);
        var fraud = Assert.Single(MockClusterReader.Read(cluster, topics.Fraud, 1));
        var legit = MockClusterReader.Read(cluster, topics.Legit, 3);
        await stop.CancelAsync();
        var (exitCode, output, error) = await detect;

        Assert.True(exitCode == 0, error + output);
        Assert.Contains($"traces to {collector.Url} (OTLP HTTP, 0 % of records without a parent)", output, StringComparison.Ordinal);

        // The output's traceparent: the same trace, a new span (the detector's), sampled; other headers forwarded as they were.
        var parent = Encoding.ASCII.GetString(fraud.Message.Headers.GetLastBytes("traceparent")).Split('-');
        Assert.Equal(["00", TraceId], parent[..2]);
        Assert.NotEqual(ParentSpan, parent[2]);
        Assert.Equal("01", parent[3]);
        Assert.Single(fraud.Message.Headers, h => h.Key == "traceparent");
        Assert.Equal("web"u8.ToArray(), fraud.Message.Headers.GetLastBytes("app"));

        // Unsampled without a parent (ratio 0), and a malformed or oversized parent is no parent: no span, the input's headers as they were.
        var untraced = legit.Single(r => Encoding.UTF8.GetString(r.Message.Value).Contains("\"untraced\"", StringComparison.Ordinal));
        Assert.DoesNotContain(untraced.Message.Headers ?? [], h => h.Key == "traceparent");
        var brokenParent = legit.Single(r => Encoding.UTF8.GetString(r.Message.Value).Contains("\"broken-parent\"", StringComparison.Ordinal));
        Assert.Equal("00-not-a-trace"u8.ToArray(), brokenParent.Message.Headers.GetLastBytes("traceparent"));
        var hugeParent = legit.Single(r => Encoding.UTF8.GetString(r.Message.Value).Contains("\"huge-parent\"", StringComparison.Ordinal));
        Assert.Equal(20_003, hugeParent.Message.Headers.GetLastBytes("traceparent").Length); // not read (past 256 bytes), forwarded as it came

        // The span went to the collector over OTLP/HTTP, with its trace, its own id and its parent's.
        var exported = collector.Received().Where(r => r.Path == "/v1/traces").SelectMany(r => r.Bytes).ToArray();
        Assert.True(Contains(exported, Convert.FromHexString(TraceId)), "the trace id is not in what the collector received");
        Assert.True(Contains(exported, Convert.FromHexString(ParentSpan)), "the parent span id is not in what the collector received");
        Assert.True(Contains(exported, Convert.FromHexString(parent[2])), "the detector's span id is not in what the collector received");
        Assert.True(Contains(exported, "queueing.transactions process"u8.ToArray()));
    }

    [Fact]
    public async Task A_bad_otlp_endpoint_is_one_line_and_exit_2()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["detect", "--kafka", "127.0.0.1:1", "--otlp-endpoint", "udp://collector"]);

        Assert.Equal(2, exitCode);
        Assert.Equal("vigil: invalid --otlp-endpoint 'udp://collector': expected an http:// or https:// URL such as http://127.0.0.1:4317", error.TrimEnd());
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
