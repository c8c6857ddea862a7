using System.Data.Common;
using System.Globalization;

namespace Vigil.Store.Schema;

/// <summary>
/// Brings a database to the schema this Vigil writes: creates <c>schema_migrations</c>, applies each migration it lacks
/// in its own transaction (all of it or none), and records it. A database from a newer Vigil is refused rather than
/// written by code that does not know its schema. On PostgreSQL an advisory lock keeps two instances that start
/// together from migrating at once.
/// </summary>
public static class Migrator
{
    /// <summary>The advisory lock migrations hold on PostgreSQL ("VIGL").</summary>
    private const long LockKey = 0x5649_474C;

    /// <summary>Applies what is missing; returns the versions applied now (none when the database was up to date).</summary>
    /// <exception cref="StoreException">The database's schema is newer than this Vigil's, or a migration failed.</exception>
    public static IReadOnlyList<int> Migrate(DbConnection connection, Dialect dialect, IReadOnlyList<Migration> migrations)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(migrations);
        var locked = dialect == Dialect.Postgres;
        if (locked)
        {
            Commands.Execute(connection, null, $"SELECT pg_advisory_lock({LockKey})");
        }

        try
        {
            return Apply(connection, dialect, migrations);
        }
        finally
        {
            if (locked)
            {
                Commands.Execute(connection, null, $"SELECT pg_advisory_unlock({LockKey})");
            }
        }
    }

    /// <summary>The highest migration the database records; 0 for a new one.</summary>
    public static int CurrentVersion(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = Commands.Create(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static List<int> Apply(DbConnection connection, Dialect dialect, IReadOnlyList<Migration> migrations)
    {
        Commands.Execute(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at_wall TEXT NOT NULL)");
        var current = CurrentVersion(connection);
        var latest = migrations.Count == 0 ? 0 : migrations.Max(m => m.Version);
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
                Commands.Execute(connection, transaction, dialect.Render(migration.Sql));
                using var record = Commands.Create(connection, transaction, "INSERT INTO schema_migrations (version, name, applied_at_wall) VALUES (@version, @name, @at)")
                    .With("@version", (long)migration.Version)
                    .With("@name", migration.Name)
                    .With("@at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                record.ExecuteNonQuery();
                transaction.Commit();
            }
            catch (DbException e)
            {
                throw new StoreException($"migration {migration.Version} ({migration.Name}) failed, and was rolled back: {e.Message}", e);
            }

            applied.Add(migration.Version);
        }

        return applied;
    }
}
