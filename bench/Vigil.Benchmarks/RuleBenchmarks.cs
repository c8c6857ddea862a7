using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Vigil.Detection;
using Vigil.Features;
using Vigil.Rules;
using Vigil.Runtime.Rules;
using Vigil.Transactions;

namespace Vigil.Benchmarks;

/// <summary>
/// A rule set of 50 compiled rules over the transaction's fields and its features (the vigil set's 22, in the
/// record's "features" object, as the pipeline writes them): comparisons, arithmetic, lists of 1,000 ids, text and
/// null checks. <see cref="Decide50Rules"/> is the detector's cost per transaction for the rules: filling the inputs
/// they read and running all 50.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class RuleBenchmarks
{
    private const int Records = 8;

    private readonly Transaction[] _transactions = [.. Enumerable.Range(0, Records).Select(_ => new Transaction())];
    private readonly Decision _decision = new();
    private byte[][] _records = null!;
    private Detector _detector = null!;
    private RuleSet _rules = null!;
    private double[][] _inputs = null!;
    private TransactionDecoder _decoder = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var yaml = new StringBuilder("version: bench\nlists:\n  blocked: [");
        yaml.AppendJoin(", ", Enumerable.Range(0, 1000).Select(i => $"B{i}"));
        yaml.Append("]\nrules:\n");
        string[] templates =
        [
            "amount >= {0}",
            "customer_nb_tx_1d > {1} and amount > 3 * customer_avg_amount_30d",
            "terminal_risk_7d > 0.{2}",
            "customer_id in blocked",
            "amount / customer_max_amount_30d > 1.{2} and tx_during_night == 1",
            "currency != 'EUR' and amount > {1}0",
            "terminal_risk_30d is not null and terminal_risk_30d * terminal_nb_tx_30d > {1}",
            "not (customer_nb_terminals_1d < {1}) or terminal_same_amount_customers_1d >= {2}",
            "coalesce(terminal_risk_1d, 0) + coalesce(terminal_risk_7d, 0) > 1.{2}",
            "tx_hour in [0, 1, 2, 3] and amount > abs(customer_avg_amount_7d - {0})",
        ];
        for (var i = 0; i < 50; i++)
        {
            var expression = string.Format(CultureInfo.InvariantCulture, templates[i % templates.Length], 500 + i, 5 + (i % 7), 1 + (i % 9));
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: rule_{i}\n    expression: \"{expression}\"\n    score: 0.1\n");
        }

        _rules = RulesDocument.Parse(yaml.ToString(), "bench", ".", FeatureSet.Vigil).RuleSet;
        _detector = new Detector(_rules);
        _decoder = new TransactionDecoder();
        var random = new Random(7);
        _records = [.. Enumerable.Range(0, Records).Select(i => Record(random, i))];
        for (var i = 0; i < Records; i++)
        {
            _decoder.TryDecode(_records[i], _transactions[i], out _);
        }

        var map = new Vigil.Models.ModelInputs(_rules.Inputs, FeatureSet.None);
        _inputs = [.. _transactions.Select(t =>
        {
            var row = new double[_rules.Inputs.Count];
            map.Fill(t, row);
            return row;
        })];
    }

    private static byte[] Record(Random random, int i)
    {
        var features = FeatureSet.Vigil.Definitions.Select(d => $"\"{d.Name}\":{(d.Name.Contains("risk", StringComparison.Ordinal) && i % 3 == 0 ? "null" : (random.NextDouble() * 20).ToString("0.###", CultureInfo.InvariantCulture))}");
        var text = $"{{\"transaction_id\":\"{i}\",\"timestamp\":\"2018-04-01T00:03:21Z\",\"customer_id\":\"C{i * 37}\",\"terminal_id\":\"T{i}\",\"amount\":{random.Next(5, 1200)}.5,\"currency\":\"{(i % 2 == 0 ? "EUR" : "USD")}\",\"features\":{{{string.Join(',', features)}}}}}";
        return Encoding.UTF8.GetBytes(text);
    }

    private Transaction Next() => _transactions[_next = (_next + 1) & (Records - 1)];

    /// <summary>Fills the rules' inputs from the record and runs the 50 rules: the detector's cost for the rules.</summary>
    [Benchmark]
    public bool Decide50Rules()
    {
        _detector.Decide(Next(), _decision);
        return _decision.IsFraud;
    }

    /// <summary>The 50 compiled delegates alone, on inputs already filled.</summary>
    [Benchmark]
    public int Evaluate50Rules()
    {
        var transaction = Next();
        var inputs = _inputs[_next];
        var hits = 0;
        foreach (var rule in _rules.Rules)
        {
            hits += rule.Condition(transaction, inputs) ? 1 : 0;
        }

        return hits;
    }

    /// <summary>Decoding the record and reading its features object, for scale: the part of a decision before the rules.</summary>
    [Benchmark]
    public double DecodeWithFeatures()
    {
        var i = _next = (_next + 1) & (Records - 1);
        _decoder.TryDecode(_records[i], _transactions[i], out _);
        return _transactions[i].Features.Count;
    }
}
