using Microsoft.Data.Sqlite;
using Vigil.Store.Schema;

namespace Vigil.Store;

/// <summary>
/// Vigil's database: one SQLite file, <c>vigil.db</c>, in the data folder (<c>--data-dir</c>), brought to this Vigil's
/// schema when opened. One connection, for one writer at a time (the caller serializes); write-ahead logging, so that
/// a reader elsewhere (the sqlite3 shell, a report) never blocks it.
/// </summary>
public sealed class VigilDatabase : IDisposable
{
    public const string FileName = "vigil.db";

    private VigilDatabase(SqliteConnection connection, string path)
    {
        Connection = connection;
        Path = path;
    }

    public SqliteConnection Connection { get; }

    public string Path { get; }

    /// <summary>Opens (or creates) <c>vigil.db</c> in <paramref name="directory"/> and migrates it.</summary>
    /// <exception cref="StoreException">It is not a database, cannot be written, or has a newer schema.</exception>
    public static VigilDatabase Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(directory, FileName));
        SqliteConnection? connection = null;
        try
        {
            Directory.CreateDirectory(directory);
            connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            using (var pragmas = connection.CreateCommand())
            {
                pragmas.CommandText = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;";
                pragmas.ExecuteNonQuery();
            }

            Migrator.Migrate(connection, Migrations.All);
            return new VigilDatabase(connection, path);
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

    public void Dispose() => Connection.Dispose();
}
