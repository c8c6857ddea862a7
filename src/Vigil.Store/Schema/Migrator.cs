using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Vigil.Store.Schema;

/// <summary>
/// Brings a database to the schema this Vigil writes: creates <c>schema_migrations</c>, applies each migration it lacks
/// in its own transaction (all of it or none), and records it. A database from a newer Vigil is refused rather than
/// written by code that does not know its schema.
/// </summary>
public static class Migrator
{
    /// <summary>Applies what is missing; returns the versions applied now (none when the database was up to date).</summary>
    /// <exception cref="StoreException">The database's schema is newer than this Vigil's, or a migration failed.</exception>
    public static IReadOnlyList<int> Migrate(SqliteConnection connection, IReadOnlyList<Migration> migrations)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(migrations);
        Execute(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_wall TEXT NOT NULL)");
        var current = CurrentVersion(connection);
        var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
        if (current > latest)
        {
            throw new StoreException($"the database's schema is version {current}, newer than this Vigil's {latest}: use the Vigil that wrote it, or another --data-dir");
        }

        var applied = new List<int>();
        foreach (var migration in migrations.Where(m => m.Version > current).OrderBy(m => m.Version))
        {
            using var transaction = connection.BeginTransaction();
            try
            {
                Execute(connection, transaction, migration.Sql);
                using var record = connection.CreateCommand();
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at_wall) VALUES ($version, $name, $at)";
                record.Parameters.AddWithValue("$version", migration.Version);
                record.Parameters.AddWithValue("$name", migration.Name);
                record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                record.ExecuteNonQuery();
                transaction.Commit();
            }
            catch (SqliteException e)
            {
                throw new StoreException($"migration {migration.Version} ({migration.Name}) failed, and was rolled back: {e.Message}", e);
            }

            applied.Add(migration.Version);
        }

        return applied;
    }

    /// <summary>The highest migration the database records; 0 for a new one.</summary>
    public static int CurrentVersion(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
