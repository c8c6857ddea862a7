using Vigil.Cli.Configuration;
using Vigil.Models;

namespace Vigil.Cli.Models;

/// <summary>Reads a model file for a command; a missing or broken file is one line naming it.</summary>
public static class ModelFileLoader
{
    /// <summary>A Vigil model (JSON), or an ONNX model (<c>.onnx</c>, scored with ONNX Runtime).</summary>
    public static Model Load(string path)
    {
        try
        {
            return path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
                ? Onnx.OnnxModel.Load(path)
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
