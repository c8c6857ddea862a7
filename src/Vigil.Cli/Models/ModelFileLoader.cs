using Vigil.Cli.Configuration;
using Vigil.Models;

namespace Vigil.Cli.Models;

/// <summary>Reads a model file for a command; a missing or broken file is one line naming it.</summary>
public static class ModelFileLoader
{
    /// <summary>A Vigil model (JSON), or an ONNX model (<c>.onnx</c>, scored with ONNX Runtime).</summary>
    /// <param name="onnx">An ONNX model's input names and threshold, over its metadata; refused for a JSON model.</param>
    public static Model Load(string path, OnnxOptions? onnx = null)
    {
        var isOnnx = path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
        if (!isOnnx && onnx is { Given: true })
        {
            throw new UsageException($"--onnx-inputs and --onnx-threshold are for an .onnx model, and '{path}' is a Vigil model (its file holds both)");
        }

        try
        {
            return isOnnx
                ? Onnx.OnnxModel.Load(path, onnx?.Inputs, onnx?.Threshold)
                : ModelJson.Deserialize(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read model '{path}': {e.Message}");
        }
        catch (ModelFormatException e)
        {
            throw new UsageException($"model '{path}' cannot be used: {e.Message}");
        }
    }
}
