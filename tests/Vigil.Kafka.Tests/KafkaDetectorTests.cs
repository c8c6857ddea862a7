using System.Text;
using System.Text.Json;
using Vigil.Kafka.Detection;
using Vigil.Kafka.Sources;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Xunit.Abstractions;

namespace Vigil.Kafka.Tests;

public sealed class KafkaDetectorTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Writes transactions with ids t-0 .. t-(count-1), keyed by account, every tenth one at 900 or more.</summary>
    private static async Task WriteTransactionsAsync(KafkaRecordWriter writer, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            var amount = i % 10 == 0 ? 900 + (i % 100) : 10 + (i % 800);
            writer.Write(MockKafka.Utf8($"acct-{i % 97}"), MockKafka.Utf8($$"""{"transaction_id":"t-{{i}}","source":"acct-{{i % 97}}","target":"shop","amount":{{amount}},"currency":"EUR"}"""));
        }

        await writer.FlushAsync(CancellationToken.None);
    }

    private static string Id(byte[] value) => JsonDocument.Parse(value).RootElement.GetProperty("transaction_id").GetString()!;

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Detector_routes_every_transaction_dead_letters_bad_records_with_headers_and_commits_on_stop()
    {
        using var kafka = new MockKafka(partitions: 3);
        var clients = kafka.Clients();
        using (var writer = new KafkaRecordWriter(clients, kafka.Topics.Transactions))
        {
            await WriteTransactionsAsync(writer, 0, 3000);
            writer.Write(MockKafka.Utf8("bad-1"), MockKafka.Utf8("not json"));
            writer.Write(MockKafka.Utf8("bad-2"), MockKafka.Utf8("""{"transaction_id":"t-neg","amount":-5}"""));
            await writer.FlushAsync(CancellationToken.None);
        }

        using var detector = new KafkaDetector(clients, kafka.Topics, RuleSet.AmountThreshold());
        using var stop = new CancellationTokenSource();
        var running = detector.RunAsync(stop.Token);
        await WaitUntil(() => detector.Status().Processed >= 3002, Timeout);
        await stop.CancelAsync();
        await running.WaitAsync(Timeout);

        var legit = kafka.Read(kafka.Topics.Legit, 2700);
        var fraud = kafka.Read(kafka.Topics.Fraud, 300);
        var dead = kafka.Read(kafka.Topics.DeadLetter, 2);
        Assert.Equal(2700, legit.Count);
        Assert.Equal(300, fraud.Count);
        Assert.All(fraud, r => Assert.True(JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("amount").GetDouble() >= 900));
        Assert.All(legit, r => Assert.False(JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("vigil").GetProperty("fraud").GetBoolean()));
        Assert.Equal(3000, legit.Concat(fraud).Select(r => Id(r.Message.Value)).Distinct().Count());
        Assert.All(legit.Concat(fraud), r => Assert.Equal(
            JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("source").GetString(), Encoding.UTF8.GetString(r.Message.Key)));

        Assert.Equal(2, dead.Count);
        var notJson = dead.Single(r => Encoding.UTF8.GetString(r.Message.Value) == "not json");
        var headers = notJson.Message.Headers.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.GetValueBytes()));
        Assert.Equal("not_json", headers[DeadLetterHeaders.ErrorCode]);
        Assert.Equal(kafka.Topics.Transactions, headers[DeadLetterHeaders.SourceTopic]);
        Assert.Equal("bad-1", Encoding.UTF8.GetString(notJson.Message.Key));
        Assert.Contains("amount is negative", Encoding.UTF8.GetString(dead.Single(r => r != notJson).Message.Headers.GetLastBytes(DeadLetterHeaders.ErrorReason)), StringComparison.Ordinal);

        // Stopping committed everything that was done: the group's offsets are the topic's end offsets.
        Assert.Equal(kafka.EndOffsets(kafka.Topics.Transactions), kafka.Committed(detector.GroupId));
        output.WriteLine(string.Join(Environment.NewLine, kafka.Log));
    }
}
