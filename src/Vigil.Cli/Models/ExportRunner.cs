using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Commands;
using Vigil.Cli.Configuration;
using Vigil.Cli.Terminal;
using Vigil.Models;
using Vigil.Onnx;
using Vigil.Onnx.Export;

namespace Vigil.Cli.Models;

/// <summary>
/// <c>vigil export --model MODEL.json --format onnx --out MODEL.onnx</c>: writes the model as ONNX, loads the file back
/// with ONNX Runtime and checks its scores against Vigil's on rows around the model's own splits and means.
/// </summary>
public sealed class ExportRunner(LayeredConfiguration configuration, IAnsiConsole console)
{
    private const int CheckedRows = 2_000;

    /// <summary>The formats <c>--format</c> takes.</summary>
    public enum Format
    {
        Onnx,
    }

    public async Task<int> RunAsync(CancellationToken stop)
    {
        var read = new SettingReader(configuration);
        var path = read.OptionalText("Model:Path") ?? throw new UsageException("vigil export needs --model MODEL.json (train one with vigil train)");
        var outPath = read.OptionalText("Model:Out") ?? throw new UsageException("vigil export needs --out MODEL.onnx to write to");
        read.Choice("Export:Format", Format.Onnx);
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"'{path}' is an ONNX model already: vigil export takes a Vigil model (MODEL.json)");
        }

        var model = ModelFileLoader.Load(path);
        byte[] bytes;
        try
        {
            bytes = OnnxExport.Write(model);
        }
        catch (NotSupportedException e)
        {
            throw new UsageException($"cannot export '{path}': {e.Message}");
        }

        try
        {
            await File.WriteAllBytesAsync(outPath, bytes, stop);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write '{outPath}': {e.Message}");
        }

        using var exported = OnnxModel.Load(outPath);
        var difference = LargestDifference(model, exported);
        var c = CultureInfo.InvariantCulture;
        console.MarkupLine(Markup.Escape($"Vigil export · {model.Version} ({model.Kind.Name()}) → {Path.GetFullPath(outPath)} ({bytes.Length.ToString("N0", c)} bytes)"));
        Summary.TextRow(console, "graph", $"{exported.Describe()}, label; ONNX opset 13, ai.onnx.ml 3");
        Summary.TextRow(console, "inputs", string.Join(", ", model.Inputs));
        Summary.TextRow(console, "threshold", model.Threshold.ToString("G6", c));
        Summary.TextRow(console, "checked", $"ONNX Runtime's scores of {CheckedRows.ToString("N0", c)} rows differ from Vigil's by at most {difference.ToString("G2", c)}");
        if (difference > 1e-6)
        {
            console.MarkupLine("[red]the exported model does not score as Vigil does: please report this with the model file[/]");
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    /// <summary>Scores rows whose values sit on, beside and around the model's splits and means (one in ten missing) both ways.</summary>
    private static double LargestDifference(Model model, OnnxModel exported)
    {
        var width = model.Inputs.Count;
        var values = Enumerable.Range(0, width).Select(_ => new List<double> { 0 }).ToArray();
        var linear = model switch
        {
            LogisticModel logistic => logistic,
            GradientBoostedModel boosted => boosted.LinearBase,
            _ => null,
        };
        if (linear is not null)
        {
            for (var i = 0; i < width; i++)
            {
                values[i].AddRange([linear.Mean[i] - (2 * linear.Scale[i]), linear.Mean[i], linear.Mean[i] + (2 * linear.Scale[i])]);
            }
        }

        foreach (var tree in (model as GradientBoostedModel)?.Trees ?? [])
        {
            for (var node = 0; node < tree.Count; node++)
            {
                if (!tree.IsLeaf(node))
                {
                    var threshold = tree.Threshold[node];
                    values[tree.Feature[node]].AddRange([threshold, Math.BitIncrement(threshold)]);
                }
            }
        }

        var random = new Random(1);
        var rows = new double[CheckedRows * width];
        for (var i = 0; i < rows.Length; i++)
        {
            var candidates = values[i % width];
            rows[i] = random.Next(10) == 0 ? double.NaN : candidates[random.Next(candidates.Count)];
        }

        var scores = new double[CheckedRows];
        exported.ScoreRows(rows, scores);
        var largest = 0.0;
        for (var r = 0; r < CheckedRows; r++)
        {
            largest = Math.Max(largest, Math.Abs(model.Score(rows.AsSpan(r * width, width)) - scores[r]));
        }

        return largest;
    }
}
