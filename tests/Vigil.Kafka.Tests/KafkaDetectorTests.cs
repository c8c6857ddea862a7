using System.Text;
using System.Text.Json;
using Vigil.Kafka.Detection;
using Vigil.Kafka.Sources;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Testing;
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
        await Eventually.TrueAsync(() => detector.Status().Processed >= 3002, Timeout);
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

    /// <summary>Writes transactions t-from.. in small steps, as a steady stream rather than one burst.</summary>
    [Fact]
    public async Task Input_headers_such_as_a_traceparent_travel_to_the_legit_and_fraud_outputs_and_records_without_any_get_none()
    {
        using var kafka = new MockKafka(partitions: 2);
        var clients = kafka.Clients();
        using (var writer = new KafkaRecordWriter(clients, kafka.Topics.Transactions))
        {
            for (var i = 0; i < 200; i++)
            {
                var amount = i % 10 == 0 ? 950 : 20;
                var headers = i % 2 == 0
                    ? new Vigil.Runtime.Topics.RecordHeader[]
                    {
                        new("traceparent", $"00-{i:x32}-{i + 1:x16}-01"),
                        new("tenant", "acme"),
                        new("tenant", "second value kept too"),
                        new("binary", [0, 255, (byte)i]),
                    }
                    : null;
                writer.Write(MockKafka.Utf8($"acct-{i % 7}"), MockKafka.Utf8($$"""{"transaction_id":"t-{{i}}","source":"acct-{{i % 7}}","amount":{{amount}}}"""), headers);
            }

            await writer.FlushAsync(CancellationToken.None);
        }

        using var detector = new KafkaDetector(clients, kafka.Topics, RuleSet.AmountThreshold());
        using var stop = new CancellationTokenSource();
        var running = detector.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => detector.Status().Processed >= 200, Timeout);
        await stop.CancelAsync();
        await running.WaitAsync(Timeout);

        var decided = kafka.Read(kafka.Topics.Legit, 180).Concat(kafka.Read(kafka.Topics.Fraud, 20)).ToList();
        Assert.Equal(200, decided.Count);
        foreach (var record in decided)
        {
            var i = int.Parse(Id(record.Message.Value)[2..], System.Globalization.CultureInfo.InvariantCulture);
            var headers = (record.Message.Headers ?? []).Select(h => (h.Key, Convert.ToHexString(h.GetValueBytes()))).ToList();
            if (i % 2 == 1)
            {
                Assert.Empty(headers);
                continue;
            }

            Assert.Equal(
                [
                    ("traceparent", Convert.ToHexString(Encoding.UTF8.GetBytes($"00-{i:x32}-{i + 1:x16}-01"))),
                    ("tenant", Convert.ToHexString("acme"u8)),
                    ("tenant", Convert.ToHexString("second value kept too"u8)),
                    ("binary", Convert.ToHexString([0, 255, (byte)i])),
                ],
                headers);
        }
    }

    private static async Task StreamTransactionsAsync(KafkaRecordWriter writer, int from, int count)
    {
        for (var at = from; at < from + count; at += 500)
        {
            await WriteTransactionsAsync(writer, at, Math.Min(500, from + count - at));
            await Task.Delay(20);
        }
    }

    /// <summary>Reads both output topics and checks every id appears; returns how many appear more than once.</summary>
    private int AssertEveryTransactionDecided(MockKafka kafka, int count)
    {
        var decided = kafka.Read(kafka.Topics.Legit, int.MaxValue, TimeSpan.FromSeconds(5))
            .Concat(kafka.Read(kafka.Topics.Fraud, int.MaxValue, TimeSpan.FromSeconds(5)))
            .Select(r => Id(r.Message.Value))
            .ToList();
        var missing = Enumerable.Range(0, count).Select(i => $"t-{i}").Except(decided).ToList();
        var duplicates = decided.Count - decided.Distinct().Count();
        output.WriteLine($"{count:N0} written, {decided.Count:N0} decided, {missing.Count} missing, {duplicates} duplicates (at-least-once allows duplicates, never loss)");
        Assert.Empty(missing);
        return duplicates;
    }

    [Fact]
    public async Task Two_detectors_share_the_partitions_and_the_survivor_takes_over_when_one_stops_without_losing_a_record()
    {
        const int total = 20_000;
        using var kafka = new MockKafka(partitions: 4);
        var clients = kafka.Clients();
        using var writer = new KafkaRecordWriter(clients, kafka.Topics.Transactions);
        using var first = new KafkaDetector(clients, kafka.Topics, RuleSet.AmountThreshold());
        using var second = new KafkaDetector(kafka.Clients(), kafka.Topics, RuleSet.AmountThreshold());
        using var stopFirst = new CancellationTokenSource();
        using var stopSecond = new CancellationTokenSource();
        var runningFirst = first.RunAsync(stopFirst.Token);
        var runningSecond = second.RunAsync(stopSecond.Token);
        await Eventually.TrueAsync(() => first.Assignment.Count > 0 && second.Assignment.Count > 0 && first.Assignment.Count + second.Assignment.Count == 4, Timeout);
        Assert.Equal(4, first.Assignment.Count + second.Assignment.Count);
        Assert.Empty(first.Assignment.Intersect(second.Assignment));

        await StreamTransactionsAsync(writer, 0, total / 2);
        await Eventually.TrueAsync(() => first.Status().Processed > 0 && second.Status().Processed > 0, Timeout);
        await stopFirst.CancelAsync();
        var streaming = StreamTransactionsAsync(writer, total / 2, total / 2);
        await runningFirst.WaitAsync(Timeout);
        await streaming;
        await Eventually.TrueAsync(() => second.Assignment.Count == 4, Timeout);
        Assert.Equal(4, second.Assignment.Count);
        await Eventually.TrueAsync(() => kafka.Committed(second.GroupId).Sum() == total, Timeout);
        await stopSecond.CancelAsync();
        await runningSecond.WaitAsync(Timeout);

        Assert.True(first.Status().Processed > 0);
        output.WriteLine(string.Join(Environment.NewLine, kafka.Log.Where(l => !l.Contains("Connection refused", StringComparison.Ordinal))));
        AssertEveryTransactionDecided(kafka, total);
        Assert.Equal(kafka.EndOffsets(kafka.Topics.Transactions), kafka.Committed(second.GroupId));
    }

    [Fact]
    public async Task A_broker_down_for_a_few_seconds_delays_decisions_but_loses_none()
    {
        const int total = 12_000;
        using var kafka = new MockKafka(brokers: 3, partitions: 3);
        var clients = kafka.Clients();
        using var writer = new KafkaRecordWriter(clients, kafka.Topics.Transactions);
        using var detector = new KafkaDetector(clients, kafka.Topics, RuleSet.AmountThreshold());
        using var stop = new CancellationTokenSource();
        var running = detector.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => detector.Assignment.Count == 3, Timeout);

        await StreamTransactionsAsync(writer, 0, total / 3);
        kafka.Cluster.SetBrokerDown(1);
        var streaming = StreamTransactionsAsync(writer, total / 3, total / 3);
        await Task.Delay(TimeSpan.FromSeconds(3));
        kafka.Cluster.SetBrokerUp(1);
        await streaming;
        await StreamTransactionsAsync(writer, 2 * total / 3, total / 3);
        await Eventually.TrueAsync(() => kafka.Committed(detector.GroupId).Sum() == total, Timeout);
        await stop.CancelAsync();
        await running.WaitAsync(Timeout);

        AssertEveryTransactionDecided(kafka, total);
        Assert.Equal(kafka.EndOffsets(kafka.Topics.Transactions), kafka.Committed(detector.GroupId));
    }

    [Fact]
    public async Task Produce_requests_the_brokers_refuse_with_retriable_errors_are_retried_without_loss()
    {
        const int total = 6_000;
        const short produceApi = 0;
        const int notLeader = 6;
        const int requestTimedOut = 7;
        using var kafka = new MockKafka(partitions: 2);
        var clients = kafka.Clients();
        using var writer = new KafkaRecordWriter(clients, kafka.Topics.Transactions);
        await WriteTransactionsAsync(writer, 0, total / 2);
        using var detector = new KafkaDetector(clients, kafka.Topics, RuleSet.AmountThreshold());
        using var stop = new CancellationTokenSource();
        var running = detector.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => detector.Assignment.Count == 2, Timeout);

        // The next produce requests (the writer's and the detector's) fail, as during a leader change; librdkafka retries them.
        kafka.Cluster.PushRequestErrors(produceApi, notLeader, requestTimedOut, notLeader, requestTimedOut, notLeader);
        await WriteTransactionsAsync(writer, total / 2, total / 2);
        await Eventually.TrueAsync(() => kafka.Committed(detector.GroupId).Sum() == total, Timeout);
        await stop.CancelAsync();
        await running.WaitAsync(Timeout);

        AssertEveryTransactionDecided(kafka, total);
        Assert.Equal(total, detector.Status().Processed);
    }

    [Fact]
    public async Task A_record_whose_output_the_cluster_cannot_take_is_dead_lettered_cut_and_the_partition_goes_on()
    {
        using var kafka = new MockKafka(partitions: 1);
        var clients = kafka.Clients();
        var huge = $$"""{"transaction_id":"t-huge","source":"acct-1","amount":5,"note":"{{new string('x', 999_800)}}"}""";
        using (var writer = new KafkaRecordWriter(clients, kafka.Topics.Transactions))
        {
            await WriteTransactionsAsync(writer, 0, 50);
            writer.Write(MockKafka.Utf8("acct-1"), MockKafka.Utf8(huge));
            await WriteTransactionsAsync(writer, 50, 50);
        }

        using var detector = new KafkaDetector(clients, kafka.Topics, RuleSet.AmountThreshold());
        using var stop = new CancellationTokenSource();
        var running = detector.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => kafka.Committed(detector.GroupId).Sum() == 101, Timeout);
        await stop.CancelAsync();
        await running.WaitAsync(Timeout);

        AssertEveryTransactionDecided(kafka, 100);
        var dead = Assert.Single(kafka.Read(kafka.Topics.DeadLetter, 1));
        var headers = dead.Message.Headers.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.GetValueBytes()));
        Assert.Equal("output_refused", headers[DeadLetterHeaders.ErrorCode]);
        Assert.Contains("cannot be written to streaming.transactions.legit", headers[DeadLetterHeaders.ErrorReason], StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetByteCount(huge).ToString(System.Globalization.CultureInfo.InvariantCulture), headers[DeadLetterHeaders.OriginalLength]);
        Assert.Equal("50", headers[DeadLetterHeaders.SourceOffset]);
        Assert.Equal(huge[..100], Encoding.UTF8.GetString(dead.Message.Value)[..100]);
        Assert.Equal(1, detector.Status().DeadLetters);
    }

    [Fact]
    public async Task Outputs_the_brokers_refuse_for_their_own_sake_are_dead_lettered_and_nothing_stops()
    {
        const int total = 2_000;
        const short produceApi = 0;
        using var kafka = new MockKafka(partitions: 2);
        var clients = kafka.Clients();

        // The writer's records refused for their own sake go to the dead letters too: the refusal may hit its request.
        using var writer = new KafkaRecordWriter(clients, kafka.Topics.Transactions, kafka.Topics.DeadLetter);
        await WriteTransactionsAsync(writer, 0, total / 2);
        using var detector = new KafkaDetector(clients, kafka.Topics, RuleSet.AmountThreshold());
        using var stop = new CancellationTokenSource();
        var running = detector.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => detector.Status().Processed >= total / 2, Timeout);

        // The next produce request fails with MSG_SIZE_TOO_LARGE, as a broker with a smaller limit than the client's would answer.
        kafka.Cluster.PushRequestErrors(produceApi, 10);
        await WriteTransactionsAsync(writer, total / 2, total / 2);
        await Eventually.TrueAsync(() => kafka.Committed(detector.GroupId).Sum() == total - writer.Refused, Timeout);
        await stop.CancelAsync();
        await running.WaitAsync(Timeout);

        var decided = kafka.Read(kafka.Topics.Legit, int.MaxValue, TimeSpan.FromSeconds(5)).Concat(kafka.Read(kafka.Topics.Fraud, int.MaxValue, TimeSpan.FromSeconds(5)))
            .Select(r => Id(r.Message.Value)).ToHashSet();
        var dead = kafka.Read(kafka.Topics.DeadLetter, int.MaxValue, TimeSpan.FromSeconds(5))
            .Select(r => (Id: Id(r.Message.Value), Code: Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes(DeadLetterHeaders.ErrorCode)))).ToList();
        output.WriteLine($"{decided.Count} decided, {dead.Count} dead-lettered after the refusal");
        Assert.Equal(total, decided.Union(dead.Select(d => d.Id)).Count());
        Assert.All(dead, d => Assert.Equal("refused_by_brokers", d.Code));
        Assert.Equal(total - writer.Refused, detector.Status().Legit + detector.Status().Fraud + detector.Status().DeadLetters);
        Assert.True(writer.Refused + detector.Status().DeadLetters > 0, "the refusal reached no record");
    }

    [Fact]
    public async Task Every_kind_of_broken_record_is_dead_lettered_on_kafka_and_no_partition_stops()
    {
        using var kafka = new MockKafka(partitions: 2);
        var clients = kafka.Clients(configure: options => options.Settings["message.max.bytes"] = "2000000"); // the corpus has a record over 1 MiB
        var corpus = Vigil.Testing.BrokenRecords.All;
        using (var writer = new KafkaRecordWriter(clients, kafka.Topics.Transactions))
        {
            for (var i = 0; i < corpus.Count; i++)
            {
                writer.Write(MockKafka.Utf8($"acct-{i}"), corpus[i].Value);
                writer.Write(MockKafka.Utf8($"acct-{i}"), MockKafka.Utf8($$"""{"transaction_id":"after-{{i}}","amount":5}"""));
            }

            await writer.FlushAsync(CancellationToken.None);
        }

        using var detector = new KafkaDetector(clients, kafka.Topics, RuleSet.AmountThreshold());
        using var stop = new CancellationTokenSource();
        var running = detector.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => kafka.Committed(detector.GroupId).SequenceEqual(kafka.EndOffsets(kafka.Topics.Transactions)), Timeout);
        await stop.CancelAsync();
        await running.WaitAsync(Timeout);

        Assert.Equal(2 * corpus.Count, detector.Status().Processed);
        Assert.All(kafka.EndOffsets(kafka.Topics.Transactions), end => Assert.True(end > 0)); // both partitions had records
        var broken = corpus.Count(c => c.Code is not null);
        var dead = kafka.Read(kafka.Topics.DeadLetter, broken, TimeSpan.FromSeconds(10));
        Assert.Equal(
            corpus.Where(c => c.Code is not null).Select(c => c.Code!).Order(),
            dead.Select(r => Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes(DeadLetterHeaders.ErrorCode))).Order());
        var decided = kafka.Read(kafka.Topics.Legit, 2 * corpus.Count - broken, TimeSpan.FromSeconds(10));
        Assert.Equal(2 * corpus.Count - broken, decided.Count);
        Assert.Equal(Enumerable.Range(0, corpus.Count).Select(i => $"after-{i}"), decided.Select(r => r.Message.Value).Where(v => v.AsSpan().IndexOf("\"after-"u8) >= 0).Select(Id).Order(StringComparer.Ordinal).OrderBy(id => int.Parse(id[6..], System.Globalization.CultureInfo.InvariantCulture)));
    }
}
