using System.Text.Json;
using Vigil.Models;
using Vigil.Runtime.Quality;

namespace Vigil.Learning.Retraining;

/// <summary>
/// Where the retraining loop keeps its models: each as a model file (<c>VERSION.json</c>, usable with
/// <c>--model</c>), and <c>models.json</c>, the list of them with their states and verdicts, rewritten whole (through a
/// temporary file) at each change.
/// </summary>
public sealed class ModelFolder(string directory) : IModelRegistry
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public string ListPath => Path.Combine(Directory, "models.json");

    public string Location => Directory;

    /// <summary>Writes a model's file; returns its path.</summary>
    public string Keep(ModelRecord record, Model model)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(model);
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, $"{record.Version}.json");
        WriteAtomically(path, ModelJson.Serialize(model));
        return path;
    }

    /// <summary>Rewrites the list of models.</summary>
    public void Save(IReadOnlyList<ModelRecord> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        System.IO.Directory.CreateDirectory(Directory);
        WriteAtomically(ListPath, JsonSerializer.Serialize(models, RetrainingStatus.Json));
    }

    /// <summary>Reads the list of models written by <see cref="Save"/>.</summary>
    public static IReadOnlyList<ModelRecord> Read(string listPath) =>
        JsonSerializer.Deserialize<List<ModelRecord>>(File.ReadAllText(listPath), RetrainingStatus.Json) ?? [];

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
