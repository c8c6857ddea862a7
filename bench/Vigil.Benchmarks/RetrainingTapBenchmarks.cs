using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Vigil.Detection;
using Vigil.Features;
using Vigil.Learning.Data;
using Vigil.Learning.Retraining;
using Vigil.Learning.Training;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;

namespace Vigil.Benchmarks;

/// <summary>
/// What the retraining loop's tap adds to the detector's per-record step: decode a record with its 22 features,
/// decide with the amount rule and a 200-tree GBT on the loop's 28 inputs, encode; with and without the tap copying
/// the inputs. As in a run, another thread drains the tap's buffer into the loop's rows (every 10 ms here, against
/// 100 ms in a run); the benchmark fails if the tap had to drop a row.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // BenchmarkDotNet derives from the class (it cannot be sealed) and frees what it holds in GlobalCleanup.
public class RetrainingTapBenchmarks
#pragma warning restore CA1001
{
    private readonly byte[] _output = new byte[8192];
    private readonly CancellationTokenSource _stop = new();
    private Task _draining = Task.CompletedTask;
    private DetectionProcessor _plain = null!;
    private DetectionProcessor _tapped = null!;
    private DecisionRows _rows = null!;
    private LabelledRows _window = null!;
    private byte[] _record = [];

    [GlobalSetup]
    public void Setup()
    {
        var features = FeatureSet.Vigil;
        var inputs = TrainingSetReader.FeatureInputs(features);
        var random = new Random(3);
        const int rows = 20_000;
        var values = new double[rows * inputs.Count];
        var labels = new byte[rows];
        for (var i = 0; i < rows; i++)
        {
            labels[i] = (byte)(random.NextDouble() < 0.01 ? 1 : 0);
            for (var j = 0; j < inputs.Count; j++)
            {
                values[(i * inputs.Count) + j] = (random.NextDouble() * 100) + (labels[i] * 30 * (j % 3));
            }
        }

        var set = new TrainingSet(inputs, values, labels, [.. Enumerable.Range(0, rows).Select(i => i * 60_000L)], new int[rows]);
        var model = ModelTrainer.Train(new TrainingOptions(ModelKind.GradientBoostedTrees) { Boosting = new() { Trees = 200, LearningRate = 0.1, EarlyStoppingRounds = 0, Refit = false } }, set, features, "benchmark");
        var record = new StringBuilder("""{"transaction_id":1234567,"timestamp":"2018-05-14T09:21:07Z","customer_id":596,"terminal_id":3156,"amount":57.16,"features":{""");
        record.AppendJoin(',', features.Definitions.Select((d, i) => string.Create(CultureInfo.InvariantCulture, $"\"{d.Name}\":{(i * 7.3) % 50:R}")));
        _record = Encoding.UTF8.GetBytes(record.Append("}}").ToString());
        var models = new DetectionModels(model);
        _plain = new DetectionProcessor(new Detector(RuleSet.AmountThreshold(220)) { Models = models }, new JsonRecordCodec());
        _tapped = new DetectionProcessor(new Detector(RuleSet.AmountThreshold(220)) { Models = models }, new JsonRecordCodec());
        _rows = new DecisionRows(inputs, features);
        _window = new LabelledRows(inputs.Count, 100_000);
        _tapped.Tap = _rows.CreateTap();
        _draining = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                _rows.DrainInto(_window);
                await Task.Delay(10, CancellationToken.None);
            }
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        _draining.GetAwaiter().GetResult();
        _stop.Dispose();
        if (_rows.Dropped > 0)
        {
            throw new InvalidOperationException($"the tap dropped {_rows.Dropped:N0} rows: the drain fell behind, and the figures are not a run's");
        }
    }

    [Benchmark(Baseline = true)]
    public int WithoutTap() => Route(_plain);

    [Benchmark]
    public int WithTap() => Route(_tapped);

    private int Route(DetectionProcessor processor) =>
        processor.Decide(_record, "t", 0, 42, out _) == Vigil.Runtime.Pipeline.Route.DeadLetter ? 0 : processor.Encode(_output);
}
