using System.Text.Json;
using Vigil.Kafka.Detection;
using Vigil.Kafka.Sources;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sources;
using Vigil.Streams;
using Vigil.Simulation.Seed;
using Vigil.Testing;

namespace Vigil.Kafka.Tests;

/// <summary>Third-party Kafka clients from Debian (kcat, kafka-python) against Vigil's topics on the mock cluster.</summary>
public sealed class InteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task RunDetectorUntilAsync(KafkaDetector detector, long processed)
    {
        using var stop = new CancellationTokenSource();
        var running = detector.RunAsync(stop.Token);
        var deadline = DateTime.UtcNow + Timeout;
        while (detector.Status().Processed < processed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Kcat_reads_our_output_topics_and_sees_the_seed_message_shape_with_the_decision()
    {
        using var kafka = new MockKafka(partitions: 2);
        var clients = kafka.Clients();
        using (var writer = new KafkaRecordWriter(clients, kafka.Topics.Transactions))
        {
            await new SourcePublisher(new SeedTransactionGenerator(seed: 3), new SourceOutputs(writer), SourcePacing.Unlimited, limit: 2000).RunAsync(CancellationToken.None);
        }

        using (var detector = new KafkaDetector(clients, kafka.Topics, RuleSet.AmountThreshold()))
        {
            await RunDetectorUntilAsync(detector, 2000);
        }

        var (exitCode, output, error) = await ExternalProgram.RunAsync("/usr/bin/kcat", [
            "-C", "-b", kafka.Cluster.BootstrapServers, "-t", kafka.Topics.Fraud, "-o", "beginning", "-e", "-q", "-f", "%k\t%s\n"]);

        Assert.True(exitCode == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 100, 300);
        foreach (var line in lines)
        {
            var (key, value) = (line[..line.IndexOf('\t', StringComparison.Ordinal)], line[(line.IndexOf('\t', StringComparison.Ordinal) + 1)..]);
            var record = JsonDocument.Parse(value).RootElement;
            Assert.Matches("^[0-9a-zA-Z]{12}$", record.GetProperty("source").GetString());
            Assert.Matches("^[0-9a-zA-Z]{12}$", record.GetProperty("target").GetString());
            Assert.Equal("EUR", record.GetProperty("currency").GetString());
            Assert.True(record.GetProperty("amount").GetDouble() >= 900);
            Assert.True(record.GetProperty("vigil").GetProperty("fraud").GetBoolean());
            Assert.Equal(record.GetProperty("source").GetString(), key);
        }
    }

    /// <summary>A generator written the way seed 000 writes it, with kafka-python (Debian's python3-kafka).</summary>
    private const string SeedStyleProducer = """
        import json, os, sys
        from random import choices, randint
        from string import ascii_letters, digits
        from kafka import KafkaProducer

        account_chars = digits + ascii_letters

        def _random_account_id():
            return ''.join(choices(account_chars, k=12))

        def create_random_transaction():
            return {
                'source': _random_account_id(),
                'target': _random_account_id(),
                'amount': randint(100, 100000) / 100,
                'currency': 'EUR',
            }

        producer = KafkaProducer(
            bootstrap_servers=os.environ['KAFKA_BROKER_URL'].split(','),
            value_serializer=lambda value: json.dumps(value).encode(),
        )
        fraud = 0
        for _ in range(int(sys.argv[1])):
            transaction = create_random_transaction()
            fraud += transaction['amount'] >= 900
            producer.send(os.environ['TRANSACTIONS_TOPIC'], value=transaction)
        producer.flush()
        print(fraud)
        """;

    [Fact]
    public async Task Transactions_from_a_seed_style_python_producer_are_classified_by_the_seed_rule()
    {
        const int count = 1500;
        using var kafka = new MockKafka(partitions: 2);
        var printed = await ExternalProgram.PythonAsync(
            SeedStyleProducer, [count.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["KAFKA_BROKER_URL"] = kafka.Cluster.BootstrapServers, ["TRANSACTIONS_TOPIC"] = kafka.Topics.Transactions }, "python3-kafka");
        var expectedFraud = int.Parse(printed.Trim(), System.Globalization.CultureInfo.InvariantCulture);

        using (var detector = new KafkaDetector(kafka.Clients(), kafka.Topics, RuleSet.AmountThreshold()))
        {
            await RunDetectorUntilAsync(detector, count);
            Assert.Equal(expectedFraud, detector.Status().Fraud);
            Assert.Equal(count - expectedFraud, detector.Status().Legit);
            Assert.Equal(0, detector.Status().DeadLetters);
        }

        var fraud = kafka.Read(kafka.Topics.Fraud, expectedFraud);
        Assert.Equal(expectedFraud, fraud.Count);
        Assert.All(fraud, r => Assert.True(JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("amount").GetDouble() >= 900));
    }
}
