using BenchmarkDotNet.Attributes;
using Vigil.Learning.Data;
using Vigil.Learning.Training;
using Vigil.Models;
using Vigil.Onnx;
using Vigil.Onnx.Export;

namespace Vigil.Benchmarks;

/// <summary>Scoring cost of the models: one row (the detector's case) and a batch (vigil evaluate's), with reasons.</summary>
/// <remarks>
/// The trees are 100 of depth 6 (up to 64 leaves) over 15 inputs, trained on random rows with a learnable signal. The
/// same trees exported to ONNX (vigil export) are scored by ONNX Runtime one row a run and a batch a run.
/// </remarks>
[ShortRunJob]
[MemoryDiagnoser]
public class ModelBenchmarks
{
    private const int Width = 15;
    private const int BatchRows = 4096;

    private GradientBoostedModel _trees = null!;
    private LogisticModel _logistic = null!;
    private OnnxModel _onnxTrees = null!;
    private string _onnxPath = null!;
    private double[] _rows = null!;
    private double[] _scores = null!;
    private double[] _contributions = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var n = 50_000;
        var values = new double[n * Width];
        var labels = new byte[n];
        for (var r = 0; r < n; r++)
        {
            for (var j = 0; j < Width; j++)
            {
                values[(r * Width) + j] = random.NextDouble();
            }

            labels[r] = (byte)(values[r * Width] + (values[(r * Width) + 1] * values[(r * Width) + 2]) + (random.NextDouble() * 0.5) > 1.2 ? 1 : 0);
        }

        var data = new TrainingSet([.. Enumerable.Range(0, Width).Select(j => $"x{j}")], values, labels, new long[n], new int[n]);
        _trees = new GradientBoostingTrainer(new GradientBoostingOptions
        {
            Trees = 100, MaxDepth = 6, MaxLeaves = 64, MinChildWeight = 0, EarlyStoppingRounds = 0, ValidationFraction = 0, Threshold = 0.5,
        }).Train(data);
        _logistic = new LogisticRegressionTrainer(new LogisticRegressionOptions()).Train(data);
        _onnxPath = Path.Combine(Path.GetTempPath(), $"vigil-bench-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(_onnxPath, OnnxExport.Write(_trees));
        _onnxTrees = OnnxModel.Load(_onnxPath);
        _rows = values[..(BatchRows * Width)];
        _scores = new double[BatchRows];
        _contributions = new double[Width];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _onnxTrees.Dispose();
        File.Delete(_onnxPath);
    }

    private ReadOnlySpan<double> NextRow()
    {
        _next = (_next + 1) & (BatchRows - 1);
        return _rows.AsSpan(_next * Width, Width);
    }

    [Benchmark]
    public double TreesScoreOne() => _trees.Score(NextRow());

    [Benchmark]
    public void TreesExplainOne() => _trees.Explain(NextRow(), _contributions);

    [Benchmark]
    public double LogisticScoreOne() => _logistic.Score(NextRow());

    [Benchmark(OperationsPerInvoke = BatchRows)]
    public void TreesScoreBatch() => _trees.ScoreRows(_rows, _scores);

    [Benchmark]
    public double OnnxTreesScoreOne() => _onnxTrees.Score(NextRow());

    [Benchmark(OperationsPerInvoke = BatchRows)]
    public void OnnxTreesScoreBatch() => _onnxTrees.ScoreRows(_rows, _scores);
}
