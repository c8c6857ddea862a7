using System.Data.Common;
using Vigil.Learning.Retraining;
using Vigil.Models;
using Vigil.Runtime.Quality;
using Vigil.Store.Cases;
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

    private const long Day = 86_400_000;

    private static CaseAlert Alert(string card, string id, long atMs, double score, double amount = 10) =>
        new(id, atMs, card, "T" + id, amount, score, [new("rule:amount", "amount > 220")], $"{{\"transaction_id\": {id}}}");

    [Fact]
    public void Alerts_on_one_card_join_its_open_case_and_the_queue_ranks_the_riskiest_first()
    {
        using var database = Open();
        var cases = new CaseStore(database, "run-a");

        Assert.Equal(2, cases.Record([Alert("7", "1", Day, 0.6, 100), Alert("8", "2", Day + 1, 0.9), Alert("7", "3", Day + 2, 0.8, 50)]));
        Assert.Equal(0, cases.Record([Alert("8", "4", Day + 3, 0.5)]));

        var queue = cases.Queue(new CaseQuery());
        Assert.Equal(2, queue.Matching);
        Assert.Equal(new CaseCounts(2, 0, 0), queue.Counts);
        Assert.Equal([("8", 2, 0.9), ("7", 2, 0.8)], queue.Cases.Select(c => (c.Card, c.Alerts, c.Priority)));
        Assert.Equal(150, queue.Cases[1].Amount);
        Assert.Equal(Day + 3, queue.Cases[0].LastAlertAtMs);
        Assert.Equal(["7", "8"], cases.Queue(new CaseQuery(Order: CaseOrder.Amount)).Cases.Select(c => c.Card));
        Assert.Equal(["8"], cases.Queue(new CaseQuery(Limit: 1)).Cases.Select(c => c.Card));
        var detail = cases.Find(queue.Cases[1].Id)!;
        Assert.Equal(["1", "3"], detail.Alerts.Select(a => a.TransactionId));
        Assert.Equal([new CaseReason("rule:amount", "amount > 220")], detail.Alerts[0].Reasons);
        Assert.Equal("{\"transaction_id\": 1}", detail.Alerts[0].Record);
        Assert.Equal(("vigil", "open"), (detail.Audit.Single().Actor, detail.Audit.Single().Action));
        Assert.Empty(new CaseStore(database, "run-b").Queue(new CaseQuery()).Cases); // runs apart
        Assert.Empty(new CaseStore(database, "run-b").AuditTrail());
        Assert.Equal([("run-a", 2)], CaseStore.Runs(database));
    }

    [Fact]
    public void Assigning_and_deciding_are_appended_to_the_audit_trail_and_a_decided_case_is_closed_to_its_card_s_next_alerts()
    {
        using var database = Open();
        var cases = new CaseStore(database, "run-a");
        cases.Record([Alert("7", "1", Day, 0.6), Alert("7", "2", Day + 1, 0.7)]);
        var id = cases.Queue(new CaseQuery()).Cases.Single().Id;

        Assert.Equal("alice", cases.Assign(id, " alice ", "bob").Assignee);
        var (decided, alerts) = cases.Decide(id, fraud: true, "card holder confirmed", "alice");

        Assert.Equal((CaseStatus.Fraud, "alice", "card holder confirmed"), (decided.Status, decided.DecidedBy, decided.Note));
        Assert.Equal(["1", "2"], alerts.Select(a => a.TransactionId));
        Assert.Equal([("vigil", "open", null, "open"), ("bob", "assign", null, "alice"), ("alice", "decide", "open", "fraud")],
            cases.AuditTrail(CaseStore.Subject(id)).Reverse().Select(a => (a.Actor, a.Action, a.Before, a.After)));
        var conflict = Assert.Throws<CaseConflictException>(() => cases.Decide(id, fraud: false, null, "carol"));
        Assert.StartsWith($"case {id} was decided fraud by alice at ", conflict.Message, StringComparison.Ordinal);
        Assert.Throws<KeyNotFoundException>(() => cases.Decide(id + 100, fraud: true, null, "alice"));
        Assert.Throws<KeyNotFoundException>(() => new CaseStore(database, "run-b").Assign(id, "x", "alice"));

        Assert.Equal(1, cases.Record([Alert("7", "3", Day + 2, 0.9)]));
        var queue = cases.Queue(new CaseQuery(Status: null));
        Assert.Equal(new CaseCounts(1, 1, 0), queue.Counts);
        var next = cases.Find(queue.Cases[0].Id)!;
        Assert.Equal(CaseStatus.Open, next.Case.Status);
        Assert.Equal([id], next.CardHistory.Select(c => c.Id));
        Assert.Equal([id], cases.Queue(new CaseQuery(Status: CaseStatus.Fraud)).Cases.Select(c => c.Id));
        Assert.Equal([id], cases.Queue(new CaseQuery(Status: null, Assignee: "alice")).Cases.Select(c => c.Id));
    }

    [Theory]
    [InlineData("audit", "UPDATE audit SET actor = 'mallory'")]
    [InlineData("audit", "DELETE FROM audit")]
    [InlineData("model_events", "UPDATE model_events SET detail = 'rewritten'")]
    [InlineData("model_events", "DELETE FROM model_events")]
    public void The_database_itself_refuses_to_rewrite_or_delete_the_trails(string table, string sql)
    {
        using var database = Open();
        new CaseStore(database, "run-a").Record([Alert("7", "1", Day, 0.6)]);
        new DatabaseModelRegistry(database, new ModelFolder(Path.Combine(Directory, "a")), "a").Save([Record(1, "auto-001-a")]);
        using var command = database.Connection.CreateCommand();
        command.CommandText = sql;

        var e = Assert.ThrowsAny<DbException>(() => command.ExecuteNonQuery());

        Assert.Contains($"{table} is append-only", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, Count(database.Connection, table));
    }
}
