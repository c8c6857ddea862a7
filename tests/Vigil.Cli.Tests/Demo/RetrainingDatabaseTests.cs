using System.Collections;
using Vigil.Cli.Tests.Commands;
using Vigil.Store;
using Vigil.Store.Models;
using Vigil.Testing;

namespace Vigil.Cli.Tests.Demo;

/// <summary>The demo's model registry on a real PostgreSQL server (Debian's), given by a connection string.</summary>
public sealed class RetrainingDatabaseTests(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-retraining-db-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task With_a_PostgreSQL_connection_string_the_models_are_registered_there()
    {
        var connection = server.CreateDatabase();

        var (exitCode, text, error) = await CliRunner.RunAsync(
            ["demo", "--days", "21", "--customers", "1500", "--terminals", "3000", "--rate", "max", "--no-dashboard", "--seed", "7", "--data-dir", _directory],
            new Hashtable { ["VIGIL_DATA__DATABASE"] = connection });

        Assert.True(exitCode == 0, error);
        using var database = VigilDatabase.OpenPostgres(connection);
        var models = DatabaseModelRegistry.List(database);
        Assert.NotEmpty(models);
        Assert.Contains($"models kept   {database.Location} (run {models[0].Run})", text, StringComparison.Ordinal);
        Assert.StartsWith("PostgreSQL database vigil_test_", database.Location, StringComparison.Ordinal);
        Assert.All(models, m => Assert.True(File.Exists(m.Model.Path), m.Model.Path));
        Assert.False(File.Exists(Path.Combine(_directory, VigilDatabase.FileName)));
        Assert.Equal("challenger", DatabaseModelRegistry.History(database, models[0].Run, 1)[0].After);
        var (listed, listing, listError) = await CliRunner.RunAsync(["models"], new Hashtable { ["VIGIL_DATA__DATABASE"] = connection });
        Assert.True(listed == 0, listError);
        Assert.Contains($"Vigil models · {database.Location} · {models.Count} models in 1 run", listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_is_one_line_and_exit_code_2()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(
            ["demo", "--no-dashboard", "--data-dir", _directory],
            new Hashtable { ["VIGIL_DATA__DATABASE"] = $"Host=127.0.0.1;Port={LoopbackPorts.Free()};Username=vigil;Password=hunter2;Database=models;Timeout=2" });

        Assert.Equal(2, exitCode);
        Assert.StartsWith("vigil: --database: cannot use the PostgreSQL database models on 127.0.0.1:", error.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }
}
