using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Vigil.Detection;
using Vigil.Rules;
using Vigil.Transactions;

namespace Vigil.Benchmarks;

/// <summary>The per-record hot path on one core: decode, decide, encode the enriched output.</summary>
[MemoryDiagnoser]
public class RecordBenchmarks
{
    private readonly TransactionDecoder _decoder = new();
    private readonly Transaction _transaction = new();
    private readonly Decision _decision = new();
    private readonly Detector _detector = new(RuleSet.AmountThreshold());
    private readonly byte[] _output = new byte[4096];
    private byte[] _seed = [];
    private byte[] _wide = [];

    [GlobalSetup]
    public void Setup()
    {
        _seed = """{"source":"Jpe2zq1QDYTn","target":"lLbLnl0FSr7T","amount":954.83,"currency":"EUR"}"""u8.ToArray();

        // A ULB-style record: 28 PCA features, time, amount and identifiers.
        var wide = new StringBuilder("""{"transaction_id":"t-000001","timestamp":"2018-04-01T00:00:31Z","customer_id":596,"terminal_id":3156""");
        for (var i = 1; i <= 28; i++)
        {
            wide.Append(CultureInfo.InvariantCulture, $",\"V{i}\":{Math.Sin(i) * 2.5:R}");
        }

        wide.Append(""","amount":57.16,"currency":"EUR"}""");
        _wide = Encoding.UTF8.GetBytes(wide.ToString());
    }

    [Benchmark]
    public bool DecodeSeedMessage() => _decoder.TryDecode(_seed, _transaction, out _);

    [Benchmark]
    public int DecodeDecideEncodeSeedMessage() => Route(_seed);

    [Benchmark]
    public int DecodeDecideEncodeWideRecord() => Route(_wide);

    [Benchmark]
    public long ClockRead() => Stopwatch.GetTimestamp();

    private int Route(byte[] record)
    {
        _decoder.TryDecode(record, _transaction, out _);
        _detector.Decide(_transaction, _decision);
        DecisionEncoder.TryWrite(_transaction, _decision, 0, 42, _output, out var written);
        return written;
    }
}
