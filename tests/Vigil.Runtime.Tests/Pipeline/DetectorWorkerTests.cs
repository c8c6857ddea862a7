using System.Text;
using System.Text.Json;
using Vigil.Detection;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Topics;
using Vigil.Transactions;

namespace Vigil.Runtime.Tests.Pipeline;

public class DetectorWorkerTests
{
    private sealed class Harness
    {
        public Harness(RuleSet rules)
        {
            var broker = new EmbeddedBroker();
            Input = broker.CreateTopic("in", 1);
            Legit = broker.CreateTopic("legit", 1);
            Fraud = broker.CreateTopic("fraud", 1);
            Dead = broker.CreateTopic("dead", 1);
            InputSubscription = Input.Subscribe("detector", capacity: 100)[0];
            LegitOut = Legit.Subscribe("test", capacity: 100)[0];
            FraudOut = Fraud.Subscribe("test", capacity: 100)[0];
            DeadOut = Dead.Subscribe("test", capacity: 100)[0];
            Worker = new DetectorWorker(
                InputSubscription, new DetectionProcessor(new Detector(rules), new TransactionDecoder()), Legit.CreateProducer(), Fraud.CreateProducer(), Dead.CreateProducer());
        }

        public Topic Input { get; }
        public Topic Legit { get; }
        public Topic Fraud { get; }
        public Topic Dead { get; }
        public Subscription InputSubscription { get; }
        public Subscription LegitOut { get; }
        public Subscription FraudOut { get; }
        public Subscription DeadOut { get; }
        public DetectorWorker Worker { get; }

        public async Task RunAsync(params string[] records)
        {
            var producer = Input.CreateProducer();
            foreach (var record in records)
            {
                producer.Append(0, "key"u8, Encoding.UTF8.GetBytes(record));
            }

            await producer.FlushAsync();
            Input.Complete();
            await Worker.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }

        public static List<(string Value, IReadOnlyList<RecordHeader>? Headers, long Offset)> Drain(Subscription subscription)
        {
            var records = new List<(string, IReadOnlyList<RecordHeader>?, long)>();
            while (subscription.Reader.TryRead(out var batch))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    records.Add((Encoding.UTF8.GetString(batch.Value(i)), batch.Headers(i), batch.Offset(i)));
                }

                subscription.Complete(batch);
            }

            return records;
        }
    }

    [Fact]
    public async Task Worker_routes_by_decision_and_dead_letters_bad_records_with_reason_and_origin()
    {
        var harness = new Harness(RuleSet.AmountThreshold());

        await harness.RunAsync(
            """{"source":"a","amount":100.5}""",
            """{"source":"b","amount":900}""",
            "garbage",
            """{"source":"c","amount":-4}""");

        var legit = Harness.Drain(harness.LegitOut);
        var fraud = Harness.Drain(harness.FraudOut);
        var dead = Harness.Drain(harness.DeadOut);
        Assert.Equal("a", JsonDocument.Parse(Assert.Single(legit).Value).RootElement.GetProperty("source").GetString());
        var fraudRecord = JsonDocument.Parse(Assert.Single(fraud).Value).RootElement;
        Assert.Equal(1, fraudRecord.GetProperty("vigil").GetProperty("input").GetProperty("offset").GetInt64());
        Assert.True(fraudRecord.GetProperty("vigil").GetProperty("fraud").GetBoolean());

        Assert.Equal(2, dead.Count);
        Assert.Equal("garbage", dead[0].Value);
        var headers = dead[0].Headers!.ToDictionary(h => h.Key, h => h.ValueText);
        Assert.Equal("not_json", headers[DeadLetterHeaders.ErrorCode]);
        Assert.Equal("in", headers[DeadLetterHeaders.SourceTopic]);
        Assert.Equal("0", headers[DeadLetterHeaders.SourcePartition]);
        Assert.Equal("2", headers[DeadLetterHeaders.SourceOffset]);
        Assert.Equal("amount is negative (-4)", dead[1].Headers!.Single(h => h.Key == DeadLetterHeaders.ErrorReason).ValueText);
        Assert.Equal(4, harness.InputSubscription.CommittedOffset);
        Assert.Equal(2, harness.Worker.Processor.Latency.Count);
    }

    [Fact]
    public async Task Every_kind_of_broken_record_is_dead_lettered_with_its_code_and_the_records_after_it_are_decided()
    {
        var harness = new Harness(RuleSet.AmountThreshold());
        var producer = harness.Input.CreateProducer();
        var expected = new List<(string Name, string? Code)>();
        foreach (var (name, value, code) in Vigil.Testing.BrokenRecords.All)
        {
            producer.Append(0, "key"u8, value);
            producer.Append(0, "key"u8, Encoding.UTF8.GetBytes($$"""{"transaction_id":"after {{name}}","amount":5}"""));
            expected.Add((name, code));
            expected.Add(($"after {name}", null));
        }

        await producer.FlushAsync();
        harness.Input.Complete();
        await harness.Worker.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        // Where each came from: a dead letter's source offset, a decision's input offset.
        var dead = Harness.Drain(harness.DeadOut).ToDictionary(
            d => long.Parse(d.Headers!.Single(h => h.Key == DeadLetterHeaders.SourceOffset).ValueText, System.Globalization.CultureInfo.InvariantCulture),
            d => d.Headers!.Single(h => h.Key == DeadLetterHeaders.ErrorCode).ValueText);
        var decided = Harness.Drain(harness.LegitOut).Concat(Harness.Drain(harness.FraudOut))
            .Select(d => JsonDocument.Parse(d.Value).RootElement.GetProperty("vigil").GetProperty("input").GetProperty("offset").GetInt64()).ToHashSet();
        for (var offset = 0; offset < expected.Count; offset++)
        {
            var (name, code) = expected[offset];
            Assert.True(code is null ? decided.Contains(offset) : dead.GetValueOrDefault(offset) == code,
                $"{name}: expected {code ?? "a decision"}, got {(decided.Contains(offset) ? "a decision" : dead.GetValueOrDefault(offset) ?? "nothing")}");
        }

        Assert.Equal(expected.Count, dead.Count + decided.Count);
        Assert.Equal(expected.Count, harness.InputSubscription.CommittedOffset);
    }

    [Fact]
    public async Task A_rule_that_throws_dead_letters_its_record_and_the_stream_goes_on()
    {
        var rules = new RuleSet("faulty", [new Rule("explodes", "amount == 13", 1, t => t.Amount == 13 ? throw new InvalidOperationException("boom") : false)]);
        var harness = new Harness(rules);

        await harness.RunAsync("""{"amount":12}""", """{"amount":13}""", """{"amount":14}""");

        Assert.Equal(2, Harness.Drain(harness.LegitOut).Count);
        var dead = Assert.Single(Harness.Drain(harness.DeadOut));
        Assert.Contains("boom", dead.Headers!.Single(h => h.Key == DeadLetterHeaders.ErrorReason).ValueText, StringComparison.Ordinal);
        Assert.Equal("detector_failed", dead.Headers!.Single(h => h.Key == DeadLetterHeaders.ErrorCode).ValueText);
    }

    [Fact]
    public async Task Worker_keeps_records_of_any_size_up_to_the_limit()
    {
        var harness = new Harness(RuleSet.AmountThreshold());
        var padding = new string('p', 500_000);

        await harness.RunAsync($$"""{"amount":950,"note":"{{padding}}"}""");

        var fraud = Assert.Single(Harness.Drain(harness.FraudOut));
        Assert.Contains(padding, fraud.Value, StringComparison.Ordinal);
    }
}
