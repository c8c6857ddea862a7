using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Vigil.Store.Schema;

namespace Vigil.Store;

/// <summary>
/// Vigil's database, brought to this Vigil's schema when opened: by default one SQLite file, <c>vigil.db</c>, in the
/// data folder (<c>--data-dir</c>), with write-ahead logging so that a reader elsewhere never blocks it; for teams, a
/// PostgreSQL database given by a connection string (<c>--database</c>). One connection, for one user at a time:
/// whoever uses it holds <see cref="Gate"/>.
/// </summary>
public sealed class VigilDatabase : IDisposable
{
    public const string FileName = "vigil.db";

    private VigilDatabase(DbConnection connection, Dialect dialect, string location)
    {
        Connection = connection;
        Dialect = dialect;
        Location = location;
    }

    public DbConnection Connection { get; }

    /// <summary>Held while using <see cref="Connection"/>: the model registry and the cases share it.</summary>
    public Lock Gate { get; } = new();

    public Dialect Dialect { get; }

    /// <summary>Where it is, for people: the SQLite file's path, or the PostgreSQL server and database (never the password).</summary>
    public string Location { get; }

    /// <summary>Opens (or creates) <c>vigil.db</c> in <paramref name="directory"/> and migrates it.</summary>
    /// <exception cref="StoreException">It is not a database, cannot be written, or has a newer schema.</exception>
    public static VigilDatabase Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var path = Path.GetFullPath(Path.Combine(directory, FileName));
        SqliteConnection? connection = null;
        try
        {
            Directory.CreateDirectory(directory);
            connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            // Write-ahead logging with synchronous NORMAL: a commit is not flushed to the disk one by one (a power cut may
            // lose the last ones, never corrupt the file), so that filing alerts batch by batch keeps up with detection.
            Commands.Execute(connection, null, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
            Migrator.Migrate(connection, Dialect.Sqlite, Migrations.All);
            return new VigilDatabase(connection, Dialect.Sqlite, path);
        }
        catch (SqliteException e)
        {
            connection?.Dispose();
            throw new StoreException(e.SqliteErrorCode == 26 ? $"{path} is not a SQLite database" : $"cannot open {path}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StoreException)
        {
            connection?.Dispose();
            throw e as StoreException ?? new StoreException($"cannot open {path}: {e.Message}", e);
        }
    }

    /// <summary>Connects to a PostgreSQL database (an Npgsql connection string: <c>Host=…;Database=…;Username=…</c>) and migrates it.</summary>
    /// <exception cref="StoreException">The string is not one, the server cannot be reached or refuses, or the schema is newer.</exception>
    public static VigilDatabase OpenPostgres(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new StoreException($"not a PostgreSQL connection string: {e.Message}", e);
        }

        var location = $"PostgreSQL database {builder.Database ?? builder.Username} on {builder.Host}:{builder.Port}";
        NpgsqlConnection? connection = null;
        try
        {
            connection = new NpgsqlConnection(builder.ConnectionString);
            connection.Open();
            Migrator.Migrate(connection, Dialect.Postgres, Migrations.All);
            return new VigilDatabase(connection, Dialect.Postgres, location);
        }
        catch (Exception e) when (e is DbException or StoreException or TimeoutException or InvalidOperationException)
        {
            connection?.Dispose();
            throw e as StoreException ?? new StoreException($"cannot use the {location}: {e.Message}", e);
        }
    }

    public void Dispose() => Connection.Dispose();
}
