using System.Data.Common;
using Vigil.Learning.Retraining;
using Vigil.Models;
using Vigil.Runtime.Quality;
using Vigil.Store.Models;
using Vigil.Store.Schema;

namespace Vigil.Store.Tests;

/// <summary>What every database Vigil writes to must do; run on SQLite and on a real PostgreSQL server.</summary>
public abstract class StoreContract : IDisposable
{
    private static readonly LogisticModel Model = new(["amount"], [0], [1], [0.5], intercept: -3, threshold: 0.4) { Version = "auto-001-20180412" };

    protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("vigil-store-").FullName;

    public virtual void Dispose()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The same database every call: opened (and migrated) by Vigil.</summary>
    protected abstract VigilDatabase Open();

    /// <summary>A connection to another database, empty: not migrated.</summary>
    protected abstract DbConnection Empty();

    protected abstract Dialect Dialect { get; }

    private static ModelRecord Record(int number, string version) =>
        new(number, version, "lr", 1_523_491_902_000, 38_395, 62, 1_522_540_827_000, 1_522_887_073_000, 0.3125);

    private static long Count(DbConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void A_new_database_gets_every_migration_once_and_records_them()
    {
        using (var database = Open())
        {
            Assert.Equal(Dialect, database.Dialect);
            Assert.Equal(Migrations.Latest, Migrator.CurrentVersion(database.Connection));
            Assert.Equal(0, Count(database.Connection, "models"));
            Assert.Equal(0, Count(database.Connection, "model_events"));
        }

        using var again = Open();
        Assert.Empty(Migrator.Migrate(again.Connection, Dialect, Migrations.All));
        Assert.Equal(Migrations.All.Count, Count(again.Connection, "schema_migrations"));
    }

    [Fact]
    public void Later_migrations_are_applied_in_order_on_top_of_earlier_ones()
    {
        using var connection = Empty();
        Migration first = new(1, "one", "CREATE TABLE a (x BIGINT)");
        Migration second = new(2, "two", "ALTER TABLE a ADD COLUMN y TEXT; CREATE TABLE b (id {identity}, z TEXT)");

        Assert.Equal([1], Migrator.Migrate(connection, Dialect, [first]));
        Assert.Equal([2], Migrator.Migrate(connection, Dialect, [first, second]));

        Assert.Equal(0, Count(connection, "b"));
        Assert.Equal(2, Migrator.CurrentVersion(connection));
    }

    [Fact]
    public void A_migration_that_fails_is_rolled_back_whole_and_named()
    {
        using var connection = Empty();
        Migration broken = new(1, "half", "CREATE TABLE a (x BIGINT); CREATE TABLE a (x BIGINT)");

        var e = Assert.Throws<StoreException>(() => Migrator.Migrate(connection, Dialect, [broken]));

        Assert.StartsWith("migration 1 (half) failed, and was rolled back: ", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, Migrator.CurrentVersion(connection));
        Assert.ThrowsAny<DbException>(() => Count(connection, "a"));
    }

    [Fact]
    public void A_database_from_a_newer_vigil_is_refused()
    {
        using (var database = Open())
        {
            using var command = database.Connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations (version, name, applied_at_wall) VALUES (999, 'from the future', '2030-01-01T00:00:00Z')";
            command.ExecuteNonQuery();
        }

        var e = Assert.Throws<StoreException>(Open);

        Assert.Equal($"the database's schema is version 999, newer than this Vigil's {Migrations.Latest}: use the Vigil that wrote it, or another --data-dir", e.Message);
    }

    [Fact]
    public void Models_are_kept_with_their_states_verdicts_and_files_and_each_change_is_appended()
    {
        var verdict = new Verdict("rules", 29_077, 76, 0.635, 0.532, 0.8, 0.52, 1, 0.36, true, "F1 0.635 against 0.532 for rules");
        using (var database = Open())
        {
            var registry = new DatabaseModelRegistry(database, new ModelFolder(Path.Combine(Directory, "models", "run-a")), "run-a");
            var first = Record(1, "auto-001-20180412");
            first = first with { Path = registry.Keep(first, Model) };
            registry.Save([first]);
            registry.Save([first]);
            var promoted = first with { State = ModelState.Champion, JudgedAtMs = 1_523_751_198_000, Verdict = verdict };
            registry.Save([promoted, Record(2, "auto-002-20180419")]);
            registry.Save([promoted with { State = ModelState.Retired, RetiredAtMs = 1_524_000_000_000 }, Record(2, "auto-002-20180419") with { State = ModelState.Champion, Verdict = verdict }]);
        }

        using var reopened = Open();
        var models = DatabaseModelRegistry.List(reopened);
        Assert.Equal([("run-a", "auto-001-20180412", ModelState.Retired), ("run-a", "auto-002-20180419", ModelState.Champion)], models.Select(m => (m.Run, m.Model.Version, m.Model.State)));
        var kept = models[0].Model;
        Assert.Equal(Record(1, "x") with { Version = kept.Version, State = kept.State, JudgedAtMs = 1_523_751_198_000, RetiredAtMs = 1_524_000_000_000, Verdict = verdict, Path = kept.Path }, kept);
        Assert.Equal(Model.Version, ModelJson.Deserialize(File.ReadAllText(kept.Path!)).Version);

        var history = DatabaseModelRegistry.History(reopened, "run-a", 1);
        Assert.Equal([(null, "challenger"), ("challenger", "champion"), ("champion", "retired")], history.Select(h => (h.Before, h.After)));
        Assert.Equal("trained on 38395 transactions (62 frauds)", history[0].Detail);
        Assert.Equal("F1 0.635 against 0.532 for rules", history[1].Detail);
        Assert.All(history, h => Assert.True(h.At > DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.True(File.Exists(Path.Combine(Directory, "models", "run-a", "models.json")));
    }

    [Fact]
    public void Runs_are_kept_apart()
    {
        using var database = Open();
        new DatabaseModelRegistry(database, new ModelFolder(Path.Combine(Directory, "a")), "a").Save([Record(1, "auto-001-a")]);
        new DatabaseModelRegistry(database, new ModelFolder(Path.Combine(Directory, "b")), "b").Save([Record(1, "auto-001-b")]);

        Assert.Equal([("a", "auto-001-a"), ("b", "auto-001-b")], DatabaseModelRegistry.List(database).Select(m => (m.Run, m.Model.Version)));
        Assert.Single(DatabaseModelRegistry.History(database, "b", 1));
    }
}
