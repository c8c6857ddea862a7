using Vigil.Cli.Configuration;
using Vigil.Models;

namespace Vigil.Cli.Models;

/// <summary>Reads a model file for a command; a missing or broken file is one line naming it.</summary>
public static class ModelFileLoader
{
    public static Model Load(string path)
    {
        try
        {
            return ModelJson.Deserialize(File.ReadAllText(path));
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
