using Vigil.Models;
using Vigil.Runtime.Quality;

namespace Vigil.Learning.Retraining;

/// <summary>Where the retraining loop keeps its models and what became of them: files, a database.</summary>
public interface IModelRegistry
{
    /// <summary>Where the models are, for people (a folder, a database file).</summary>
    string Location { get; }

    /// <summary>Keeps a newly trained model; returns the path of its model file, or null when it has none.</summary>
    string? Keep(ModelRecord record, Model model);

    /// <summary>Records the models as they stand now: states, verdicts, paths.</summary>
    void Save(IReadOnlyList<ModelRecord> models);
}
