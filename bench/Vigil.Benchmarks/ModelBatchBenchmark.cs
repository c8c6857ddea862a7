using System.Diagnostics;
using Vigil.Learning.Data;
using Vigil.Learning.Training;
using Vigil.Models;

namespace Vigil.Benchmarks;

/// <summary>Batch scoring as vigil evaluate does it (rows in parallel blocks on every core): rows per second for a model file.</summary>
public static class ModelBatchBenchmark
{
    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: model-batch MODEL.json [ROWS]");
            return 2;
        }

        var model = ModelJson.Deserialize(File.ReadAllText(args[0]));
        var rows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000;
        var random = new Random(1);
        var width = model.Inputs.Count;
        var values = new double[rows * width];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextDouble() * 100;
        }

        var data = new TrainingSet(model.Inputs, values, new byte[rows], new long[rows], new int[rows]);
        Scores.Of(model, data);
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            var scores = Scores.Of(model, data);
            Console.WriteLine($"{model.Version}: {rows:N0} rows × {width} inputs in {clock.Elapsed.TotalSeconds:F3} s = {rows / clock.Elapsed.TotalSeconds / 1e6:F2} M rows/s on {Environment.ProcessorCount} cores (checksum {scores.Sum():F3})");
        }

        return 0;
    }
}
