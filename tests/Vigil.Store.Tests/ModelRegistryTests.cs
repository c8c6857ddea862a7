using Microsoft.Data.Sqlite;
using Vigil.Learning.Retraining;
using Vigil.Models;
using Vigil.Runtime.Quality;
using Vigil.Store.Models;

namespace Vigil.Store.Tests;

public sealed class ModelRegistryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-registry-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static readonly LogisticModel Model = new(["amount"], [0], [1], [0.5], intercept: -3, threshold: 0.4) { Version = "auto-001-20180412" };

    private static ModelRecord Record(int number, string version) =>
        new(number, version, "lr", 1_523_491_902_000, 38_395, 62, 1_522_540_827_000, 1_522_887_073_000, 0.3125);

    [Fact]
    public void Models_are_kept_with_their_states_verdicts_and_files_and_each_change_is_appended()
    {
        var verdict = new Verdict("rules", 29_077, 76, 0.635, 0.532, 0.8, 0.52, 1, 0.36, true, "F1 0.635 against 0.532 for rules");
        using (var database = VigilDatabase.Open(_directory))
        {
            var registry = new SqliteModelRegistry(database, new ModelFolder(Path.Combine(_directory, "models", "run-a")), "run-a");
            var first = Record(1, "auto-001-20180412");
            first = first with { Path = registry.Keep(first, Model) };
            registry.Save([first]);
            registry.Save([first]);
            var promoted = first with { State = ModelState.Champion, JudgedAtMs = 1_523_751_198_000, Verdict = verdict };
            registry.Save([promoted, Record(2, "auto-002-20180419")]);
            registry.Save([promoted with { State = ModelState.Retired, RetiredAtMs = 1_524_000_000_000 }, Record(2, "auto-002-20180419") with { State = ModelState.Champion, Verdict = verdict }]);
        }

        using var reopened = VigilDatabase.Open(_directory);
        var models = SqliteModelRegistry.List(reopened);
        Assert.Equal([("run-a", "auto-001-20180412", ModelState.Retired), ("run-a", "auto-002-20180419", ModelState.Champion)], models.Select(m => (m.Run, m.Model.Version, m.Model.State)));
        var kept = models[0].Model;
        Assert.Equal(Record(1, "x") with { Version = kept.Version, State = kept.State, JudgedAtMs = 1_523_751_198_000, RetiredAtMs = 1_524_000_000_000, Verdict = verdict, Path = kept.Path }, kept);
        Assert.Equal(Model.Version, ModelJson.Deserialize(File.ReadAllText(kept.Path!)).Version);

        var history = SqliteModelRegistry.History(reopened, "run-a", 1);
        Assert.Equal([(null, "challenger"), ("challenger", "champion"), ("champion", "retired")], history.Select(h => (h.Before, h.After)));
        Assert.Equal("trained on 38395 transactions (62 frauds)", history[0].Detail);
        Assert.Equal("F1 0.635 against 0.532 for rules", history[1].Detail);
        Assert.All(history, h => Assert.True(h.At > DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.True(File.Exists(Path.Combine(_directory, "models", "run-a", "models.json")));
    }

    [Fact]
    public void Runs_are_kept_apart()
    {
        using var database = VigilDatabase.Open(_directory);
        new SqliteModelRegistry(database, new ModelFolder(Path.Combine(_directory, "a")), "a").Save([Record(1, "auto-001-a")]);
        new SqliteModelRegistry(database, new ModelFolder(Path.Combine(_directory, "b")), "b").Save([Record(1, "auto-001-b")]);

        Assert.Equal([("a", "auto-001-a"), ("b", "auto-001-b")], SqliteModelRegistry.List(database).Select(m => (m.Run, m.Model.Version)));
        Assert.Single(SqliteModelRegistry.History(database, "b", 1));
    }
}
