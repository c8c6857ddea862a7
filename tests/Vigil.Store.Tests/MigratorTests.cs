using Microsoft.Data.Sqlite;
using Vigil.Store.Schema;

namespace Vigil.Store.Tests;

public sealed class MigratorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-store-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static List<string> Tables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    [Fact]
    public void A_new_database_gets_every_migration_once_and_records_them()
    {
        using (var database = VigilDatabase.Open(_directory))
        {
            Assert.Equal(Migrations.Latest, Migrator.CurrentVersion(database.Connection));
            Assert.Equal(["model_events", "models", "schema_migrations"], Tables(database.Connection));
        }

        using var again = VigilDatabase.Open(_directory);
        Assert.Empty(Migrator.Migrate(again.Connection, Migrations.All));
        using var command = again.Connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations";
        Assert.Equal((long)Migrations.All.Count, (long)command.ExecuteScalar()!);
    }

    [Fact]
    public void Later_migrations_are_applied_in_order_on_top_of_earlier_ones()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        Migration first = new(1, "one", "CREATE TABLE a (x INTEGER)");
        Migration second = new(2, "two", "ALTER TABLE a ADD COLUMN y TEXT; CREATE TABLE b (z INTEGER)");

        Assert.Equal([1], Migrator.Migrate(connection, [first]));
        Assert.Equal([2], Migrator.Migrate(connection, [first, second]));

        Assert.Equal(["a", "b", "schema_migrations"], Tables(connection));
        Assert.Equal(2, Migrator.CurrentVersion(connection));
    }

    [Fact]
    public void A_migration_that_fails_is_rolled_back_whole_and_named()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        Migration broken = new(1, "half", "CREATE TABLE a (x INTEGER); CREATE TABLE a (x INTEGER)");

        var e = Assert.Throws<StoreException>(() => Migrator.Migrate(connection, [broken]));

        Assert.StartsWith("migration 1 (half) failed, and was rolled back: ", e.Message, StringComparison.Ordinal);
        Assert.Equal(["schema_migrations"], Tables(connection));
        Assert.Equal(0, Migrator.CurrentVersion(connection));
    }

    [Fact]
    public void A_database_from_a_newer_vigil_is_refused()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        Migrator.Migrate(connection, [new(1, "one", "CREATE TABLE a (x INTEGER)"), new(2, "two", "CREATE TABLE b (x INTEGER)")]);

        var e = Assert.Throws<StoreException>(() => Migrator.Migrate(connection, [new(1, "one", "CREATE TABLE a (x INTEGER)")]));

        Assert.Equal("the database's schema is version 2, newer than this Vigil's 1: use the Vigil that wrote it, or another --data-dir", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_with_its_name()
    {
        var path = Path.Combine(_directory, VigilDatabase.FileName);
        File.WriteAllText(path, "this is a text file, long enough to have a header that is not SQLite's, certainly not.");

        var e = Assert.Throws<StoreException>(() => VigilDatabase.Open(_directory));

        Assert.Equal($"{path} is not a SQLite database", e.Message);
    }
}
