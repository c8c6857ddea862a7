using System.Globalization;
using System.Text.Json;
using Vigil.Avro;
using Vigil.Avro.Registry;
using Vigil.Kafka.Detection;
using Vigil.Rules;
using Vigil.Testing;

namespace Vigil.Kafka.Tests;

/// <summary>
/// Avro with a schema registry end to end, with a third-party client on both sides: Debian's python3-confluent-kafka
/// (its AvroProducer and AvroConsumer, over python3-avro) produces transactions to the mock cluster, registering its
/// schema in Vigil's in-memory registry; a Vigil detector decides them; the same library reads the decided records.
/// </summary>
public sealed class AvroInteropTests
{
    private const string AvroPackages = "python3-confluent-kafka, python3-avro and python3-requests";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>A producer as seed 004's: Confluent's Python client with an Avro schema of its own (Vigil's fields and two more).</summary>
    private const string Producer = """
        import datetime, json, os, sys
        from confluent_kafka import avro
        from confluent_kafka.avro import AvroProducer

        schema = json.loads(sys.argv[2])
        schema['fields'] += [{'name': 'merchant', 'type': 'string'}, {'name': 'card_present', 'type': 'boolean'}]
        producer = AvroProducer(
            {'bootstrap.servers': os.environ['KAFKA_BROKER_URL'], 'schema.registry.url': os.environ['SCHEMA_REGISTRY_URL']},
            default_value_schema=avro.loads(json.dumps(schema)))
        start = datetime.datetime(2018, 4, 1, tzinfo=datetime.timezone.utc)
        fraud = 0
        for i in range(int(sys.argv[1])):
            amount = (i * 37) % 1200 + 0.5
            fraud += amount >= 900
            producer.produce(topic=os.environ['TRANSACTIONS_TOPIC'], value={
                'transaction_id': i, 'timestamp': start + datetime.timedelta(seconds=i), 'customer_id': 'C%d' % (i % 50),
                'terminal_id': i % 70, 'amount': amount, 'currency': 'EUR', 'merchant': 'shop-%d' % (i % 5), 'card_present': i % 2 == 0})
        producer.flush()
        print(fraud)
        """;

    /// <summary>Reads the decided records with Confluent's AvroConsumer and prints one JSON line each.</summary>
    private const string Consumer = """
        import json, os, sys, time
        from confluent_kafka.avro import AvroConsumer

        consumer = AvroConsumer({'bootstrap.servers': os.environ['KAFKA_BROKER_URL'], 'schema.registry.url': os.environ['SCHEMA_REGISTRY_URL'],
                                 'group.id': 'python-reader', 'auto.offset.reset': 'earliest'})
        consumer.subscribe(sys.argv[2:])
        seen, deadline = 0, time.time() + 60
        while seen < int(sys.argv[1]) and time.time() < deadline:
            message = consumer.poll(1)
            if message is None or message.error():
                continue
            value = message.value()
            print(json.dumps({'topic': message.topic(), 'id': value['transaction_id'], 'amount': value['amount'], 'merchant': value['merchant'],
                              'card_present': value['card_present'], 'fraud': value['vigil']['fraud'], 'rules': value['vigil']['rules_version'],
                              'reasons': [r['code'] for r in value['vigil']['reasons']]}))
            seen += 1
        consumer.close()
        """;

    [Fact]
    public async Task Avro_transactions_from_confluent_s_python_client_are_decided_and_read_back_by_it()
    {
        const int count = 600;
        using var kafka = new MockKafka(partitions: 2);
        await using var registry = await InMemorySchemaRegistry.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["KAFKA_BROKER_URL"] = kafka.Cluster.BootstrapServers,
            ["SCHEMA_REGISTRY_URL"] = registry.Url,
            ["TRANSACTIONS_TOPIC"] = kafka.Topics.Transactions,
        };

        var expectedFraud = int.Parse((await ExternalProgram.PythonAsync(Producer, [count.ToString(CultureInfo.InvariantCulture), AvroSchemas.Transaction], environment, AvroPackages)).Trim(), CultureInfo.InvariantCulture);
        using (var source = new RegistrySchemaSource(new Dictionary<string, string> { ["schema.registry.url"] = registry.Url }))
        using (var detector = new KafkaDetector(kafka.Clients(), kafka.Topics, RuleSet.AmountThreshold(900), codec: new AvroRecordCodec(source, kafka.Topics.Legit, kafka.Topics.Fraud)))
        {
            using var stop = new CancellationTokenSource();
            var running = detector.RunAsync(stop.Token);
            var deadline = DateTime.UtcNow + Timeout;
            while (detector.Status().Processed < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            await stop.CancelAsync();
            await running.WaitAsync(Timeout);
            Assert.Equal((long)count, detector.Status().Processed);
            Assert.Equal(0, detector.Status().DeadLetters);
        }

        var lines = (await ExternalProgram.PythonAsync(Consumer, [count.ToString(CultureInfo.InvariantCulture), kafka.Topics.Legit, kafka.Topics.Fraud], environment, AvroPackages))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(count, lines.Count);
        Assert.Equal(Enumerable.Range(0, count), lines.Select(l => l.GetProperty("id").GetInt32()).Order());
        var fraud = lines.Where(l => l.GetProperty("fraud").GetBoolean()).ToList();
        Assert.Equal(expectedFraud, fraud.Count);
        Assert.All(fraud, l => Assert.Equal(kafka.Topics.Fraud, l.GetProperty("topic").GetString()));
        Assert.All(fraud, l => Assert.Equal(["amount_threshold"], l.GetProperty("reasons").EnumerateArray().Select(r => r.GetString())));
        Assert.All(lines, l =>
        {
            var id = l.GetProperty("id").GetInt32();
            Assert.Equal(l.GetProperty("amount").GetDouble() >= 900, l.GetProperty("fraud").GetBoolean());
            Assert.Equal($"shop-{id % 5}", l.GetProperty("merchant").GetString());
            Assert.Equal(id % 2 == 0, l.GetProperty("card_present").GetBoolean());
            Assert.Equal("builtin:amount>=900", l.GetProperty("rules").GetString());
        });
    }
}
