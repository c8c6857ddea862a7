using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.Processors.Public;
using Streamiz.Kafka.Net.SerDes;
using Streamiz.Kafka.Net.State;
using Streamiz.Kafka.Net.Stream;
using Vigil.Streamiz.Probe;

// The two-stage shape of Vigil's features on Kafka, run by Streamiz.Kafka.Net and by hand on Confluent.Kafka, over
// one mock cluster: transactions keyed by customer -> per-customer state -> re-keyed by terminal -> repartition
// topic -> per-terminal state -> enriched output. Usage: probe streamiz|relay [records] [threads] [--changelog] [--no-internal]
var mode = args.Length > 0 ? args[0] : "relay";
var records = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
var threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
var changelog = args.Contains("--changelog");
const int Partitions = 8;
const int Brokers = 3;
var library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "librdkafka.so");
using var mock = new MockKafka(library, Brokers);
var app = $"probe-{mode}";
// --no-internal leaves Streamiz to create its internal topics, which the mock cannot do (no CreateTopics handler).
foreach (var topic in args.Contains("--no-internal") ? new[] { "tx", "out" } : new[] { "tx", "out", $"{app}-by-terminal-repartition", $"{app}-customers-changelog", $"{app}-terminals-changelog" })
{
    mock.CreateTopic(topic, Partitions, Brokers);
}

Produce(mock.BootstrapServers, records);
var cpu = Process.GetCurrentProcess().TotalProcessorTime;
var allocated = GC.GetTotalAllocatedBytes();
var clock = Stopwatch.StartNew();
using var stop = new CancellationTokenSource();
var workers = mode == "streamiz" ? RunStreamiz(mock.BootstrapServers, app, threads, stop.Token) : RunRelay(mock.BootstrapServers, app, changelog, stop.Token);
var (count, checksum, first, last) = CountOutput(mock.BootstrapServers, records, TimeSpan.FromMinutes(5));
var seconds = clock.Elapsed.TotalSeconds;
var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
var bytes = GC.GetTotalAllocatedBytes() - allocated;
await stop.CancelAsync();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{mode}{(changelog ? "+changelog" : "")} threads {threads}: {count:N0} of {records:N0} out in {seconds:F1} s, the first after {first:F1} s, then {count / (last - first):N0} records/s; CPU {cpuSeconds * 1e6 / count:F1} µs and {bytes / (double)count:N0} B allocated per record; sum of terminal counts {checksum:N0}"));
await workers.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
return 0;

static void Produce(string servers, int records)
{
    using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = servers, LingerMs = 5, Acks = Acks.Leader }).Build();
    var random = new Random(1);
    for (var i = 0; i < records; i++)
    {
        var customer = random.Next(5_000);
        var value = string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{i},\"c\":{customer},\"t\":{random.Next(10_000)},\"a\":{random.Next(1, 100_000)},\"s\":{i * 7}}}");
        producer.Produce("tx", new Message<string, string> { Key = customer.ToString(CultureInfo.InvariantCulture), Value = value });
    }

    producer.Flush();
}

static (long Count, long Checksum, double FirstSeconds, double LastSeconds) CountOutput(string servers, int records, TimeSpan limit)
{
    using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
    {
        BootstrapServers = servers, GroupId = "probe-counter", AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
    }).Build();
    consumer.Subscribe("out");
    long count = 0, checksum = 0;
    double first = 0, last = 0;
    var deadline = Stopwatch.StartNew();
    while (count < records && deadline.Elapsed < limit)
    {
        var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
        if (result?.Message is { } message)
        {
            count++;
            checksum += Aggregates.Read(message.Value, "tn");
            last = deadline.Elapsed.TotalSeconds;
            first = count == 1 ? last : first;
        }
    }

    return (count, checksum, first, last);
}

static Task RunStreamiz(string servers, string app, int threads, CancellationToken stop)
{
    var config = new StreamConfig<StringSerDes, StringSerDes>
    {
        ApplicationId = app,
        BootstrapServers = servers,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        NumStreamThreads = threads,
        Guarantee = ProcessingGuarantee.AT_LEAST_ONCE,
        StateDir = Path.Combine(Path.GetTempPath(), $"{app}-{Environment.ProcessId}"),
        CommitIntervalMs = 1000,
    };
    var builder = new StreamBuilder();
    builder.Stream<string, string>("tx")
        .Transform(TransformerBuilder.New<string, string, string, string>()
            .Transformer<CustomerStage>()
            .StateStore(Stores.KeyValueStoreBuilder(Stores.PersistentKeyValueStore("customers"), new StringSerDes(), new StringSerDes()))
            .Build())
        .SelectKey((_, value, _) => Aggregates.Read(value, "t").ToString(CultureInfo.InvariantCulture))
        .Repartition(Repartitioned<string, string>.As("by-terminal"))
        .Transform(TransformerBuilder.New<string, string, string, string>()
            .Transformer<TerminalStage>()
            .StateStore(Stores.KeyValueStoreBuilder(Stores.PersistentKeyValueStore("terminals"), new StringSerDes(), new StringSerDes()))
            .Build())
        .To("out");
    var stream = new KafkaStream(builder.Build(), config);
    stop.Register(stream.Dispose);
    return stream.StartAsync(stop);
}

static Task RunRelay(string servers, string app, bool changelog, CancellationToken stop)
{
    var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = servers, LingerMs = 5, Acks = Acks.Leader }).Build();
    Task Stage(string group, string input, string output, string key, string stateName, string field) => Task.Run(() =>
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = servers, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = true,
        }).Build();
        consumer.Subscribe(input);
        var state = new Dictionary<long, (long Count, long Sum)>();
        while (!stop.IsCancellationRequested)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result?.Message is not { } message)
            {
                continue;
            }

            var value = Encoding.UTF8.GetString(message.Value);
            var entity = Aggregates.Read(value, field);
            var (count, sum) = state.GetValueOrDefault(entity);
            (count, sum) = (count + 1, sum + Aggregates.Read(value, "a"));
            state[entity] = (count, sum);
            var enriched = Aggregates.Append(value, stateName, count, sum);
            var outKey = Encoding.UTF8.GetBytes(Aggregates.Read(enriched, key).ToString(CultureInfo.InvariantCulture));
            producer.Produce(output, new Message<byte[], byte[]> { Key = outKey, Value = Encoding.UTF8.GetBytes(enriched) });
            if (changelog)
            {
                producer.Produce($"{app}-{stateName}s-changelog", new Message<byte[], byte[]>
                {
                    Key = BitConverter.GetBytes(entity), Value = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{count}|{sum}")),
                });
            }
        }
    }, CancellationToken.None);
    var stages = Task.WhenAll(
        Stage($"{app}-a", "tx", $"{app}-by-terminal-repartition", "t", "customer", "c"),
        Stage($"{app}-b", $"{app}-by-terminal-repartition", "out", "t", "terminal", "t"));
    return stages.ContinueWith(_ => producer.Dispose(), TaskScheduler.Default);
}

/// <summary>The per-entity work both engines do: read a number from the record, append a count and a sum.</summary>
internal static class Aggregates
{
    public static long Read(string json, string field)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty(field, out var element) ? element.GetInt64() : 0;
    }

    public static string Append(string json, string stage, long count, long sum) =>
        string.Create(CultureInfo.InvariantCulture, $"{json[..^1]},\"{stage[0]}n\":{count},\"{stage[0]}s\":{sum}}}");
}

/// <summary>The customer stage in Streamiz: a RocksDB store with its changelog.</summary>
internal sealed class CustomerStage : ITransformer<string, string, string, string>
{
    private IKeyValueStore<string, string> _store = null!;

    public void Init(ProcessorContext<string, string> context) => _store = (IKeyValueStore<string, string>)context.GetStateStore("customers");

    public Record<string, string> Process(Record<string, string> record) => Stage.Update(_store, record, "customer");

    public void Close()
    {
    }
}

/// <summary>The terminal stage in Streamiz, after the repartition topic.</summary>
internal sealed class TerminalStage : ITransformer<string, string, string, string>
{
    private IKeyValueStore<string, string> _store = null!;

    public void Init(ProcessorContext<string, string> context) => _store = (IKeyValueStore<string, string>)context.GetStateStore("terminals");

    public Record<string, string> Process(Record<string, string> record) => Stage.Update(_store, record, "terminal");

    public void Close()
    {
    }
}

internal static class Stage
{
    public static Record<string, string> Update(IKeyValueStore<string, string> store, Record<string, string> record, string name)
    {
        var previous = store.Get(record.Key);
        var split = previous?.IndexOf('|') ?? -1;
        var count = split < 0 ? 1 : long.Parse(previous![..split], CultureInfo.InvariantCulture) + 1;
        var sum = (split < 0 ? 0 : long.Parse(previous![(split + 1)..], CultureInfo.InvariantCulture)) + Aggregates.Read(record.Value, "a");
        store.Put(record.Key, string.Create(CultureInfo.InvariantCulture, $"{count}|{sum}"));
        return Record<string, string>.Create(record.Key, Aggregates.Append(record.Value, name, count, sum));
    }
}
