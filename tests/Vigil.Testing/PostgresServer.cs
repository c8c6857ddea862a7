using Npgsql;

namespace Vigil.Testing;

/// <summary>
/// A real PostgreSQL server, Debian's, started for a test run in a temporary folder on a free port of 127.0.0.1 (trust
/// authentication, no fsync) and stopped at the end. As root it runs as the postgres user, which the server requires.
/// Each test gets a database of its own (<see cref="CreateDatabase"/>).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string Package = "postgresql";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly string _bin;
    private readonly string _directory;
    private readonly bool _asPostgres;
    private int _databases;

    public PostgresServer()
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).Order().LastOrDefault() ?? string.Empty
            : string.Empty;
        Assert.True(_bin.Length > 0, $"PostgreSQL is missing: install the Debian package {Package} (./test.sh does, as root)");
        _asPostgres = Environment.UserName == "root";
        _directory = Directory.CreateTempSubdirectory("vigil-postgres-").FullName;
        Port = LoopbackPorts.Free();
        if (_asPostgres)
        {
            Run("/usr/bin/chown", ["-R", "postgres:postgres", _directory], asPostgres: false);
        }

        var data = Path.Combine(_directory, "data");
        Run(Path.Combine(_bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        Run(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-w", "-t", "60", "-l", Path.Combine(_directory, "server.log"),
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start"]);
    }

    public int Port { get; }

    /// <summary>A connection string to a new, empty database of its own.</summary>
    public string CreateDatabase()
    {
        var name = $"vigil_test_{Interlocked.Increment(ref _databases)}";
        using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name}";
            command.ExecuteNonQuery();
        }

        return ConnectionString(name);
    }

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=15";

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        Run(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);
        Directory.Delete(_directory, recursive: true);
    }

    private void Run(string program, IEnumerable<string> args, bool? asPostgres = null)
    {
        var (command, arguments) = asPostgres ?? _asPostgres ? ("/usr/sbin/runuser", (IEnumerable<string>)["-u", "postgres", "--", program, .. args]) : (program, args);
        var (exitCode, output, error) = ExternalProgram.RunAsync(command, arguments, package: Package, timeout: Limit).GetAwaiter().GetResult();
        Assert.True(exitCode == 0, $"{Path.GetFileName(program)} failed ({exitCode}): {error}{output}");
    }
}
