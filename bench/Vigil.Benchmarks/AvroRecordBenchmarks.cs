using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Vigil.Avro;
using Vigil.Avro.Records;
using Vigil.Avro.Registry;
using Vigil.Detection;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;

namespace Vigil.Benchmarks;

/// <summary>
/// The detector's per-record step (decode, decide, encode) on the same transactions as JSON and as Avro in Confluent's
/// wire format: the simulator's shape, and a ULB-style record of 28 more numbers. Schemas come from the in-memory
/// registry through Confluent's client, once, in the setup.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet derives from the class (it cannot be sealed) and frees what it holds in GlobalCleanup.
public class AvroRecordBenchmarks
#pragma warning restore CA1001
{
    private readonly byte[] _output = new byte[8192];
    private InMemorySchemaRegistry _registry = null!;
    private RegistrySchemaSource _source = null!;
    private DetectionProcessor _json = null!;
    private DetectionProcessor _avro = null!;
    private byte[] _simulatedJson = [];
    private byte[] _simulatedAvro = [];
    private byte[] _wideJson = [];
    private byte[] _wideAvro = [];

    [GlobalSetup]
    public void Setup()
    {
        _registry = InMemorySchemaRegistry.StartAsync().GetAwaiter().GetResult();
        _source = new RegistrySchemaSource(new Dictionary<string, string> { ["schema.registry.url"] = _registry.Url });
        _json = new DetectionProcessor(new Detector(RuleSet.AmountThreshold(220)), new JsonRecordCodec());
        _avro = new DetectionProcessor(new Detector(RuleSet.AmountThreshold(220)), new AvroRecordCodec(_source, "legit", "fraud"));
        _simulatedJson = """{"transaction_id":1234567,"timestamp":"2018-05-14T09:21:07Z","customer_id":596,"terminal_id":3156,"amount":57.16}"""u8.ToArray();
        var wide = new StringBuilder("""{"transaction_id":1234567,"timestamp":"2018-05-14T09:21:07Z","customer_id":596,"terminal_id":3156""");
        for (var i = 1; i <= 28; i++)
        {
            wide.Append(CultureInfo.InvariantCulture, $",\"V{i}\":{Math.Sin(i) * 2.5:R}");
        }

        _wideJson = Encoding.UTF8.GetBytes(wide.Append(""","amount":57.16}""").ToString());
        _simulatedAvro = ToAvro(_simulatedJson);
        _wideAvro = ToAvro(_wideJson);
        if (Route(_avro, _wideAvro) == 0 || Route(_avro, _simulatedAvro) == 0)
        {
            throw new InvalidOperationException("the Avro records do not decode");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source.Dispose();
        _registry.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public int JsonSimulated() => Route(_json, _simulatedJson);

    [Benchmark]
    public int AvroSimulated() => Route(_avro, _simulatedAvro);

    [Benchmark]
    public int JsonWide() => Route(_json, _wideJson);

    [Benchmark]
    public int AvroWide() => Route(_avro, _wideAvro);

    private int Route(DetectionProcessor processor, byte[] record) =>
        processor.Decide(record, "t", 0, 42, out _) == Vigil.Runtime.Pipeline.Route.DeadLetter ? 0 : processor.Encode(_output);

    /// <summary>The JSON record as vigil generate and replay write it to Kafka with --value-format avro.</summary>
    private byte[] ToAvro(byte[] json) => new AvroTransactionEncoder(_source, "transactions").Encode(json).ToArray();
}
