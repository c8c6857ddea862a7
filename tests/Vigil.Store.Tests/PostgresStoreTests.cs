using System.Data.Common;
using Npgsql;
using Vigil.Testing;

namespace Vigil.Store.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresTests : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}

/// <summary>The same contract on a real PostgreSQL server (Debian's), one database per test.</summary>
[Collection(PostgresTests.Name)]
public sealed class PostgresStoreTests(PostgresServer server) : StoreContract
{
    private readonly string _database = server.CreateDatabase();

    protected override Dialect Dialect => Dialect.Postgres;

    protected override VigilDatabase Open() => VigilDatabase.OpenPostgres(_database);

    protected override DbConnection Empty()
    {
        var connection = new NpgsqlConnection(server.CreateDatabase());
        connection.Open();
        return connection;
    }

    [Fact]
    public void A_server_that_does_not_answer_is_one_line_naming_it_and_never_the_password()
    {
        var e = Assert.Throws<StoreException>(() => VigilDatabase.OpenPostgres($"Host=127.0.0.1;Port={LoopbackPorts.Free()};Username=vigil;Password=s3cret;Database=vigil;Timeout=2"));

        Assert.StartsWith("cannot use the PostgreSQL database vigil on 127.0.0.1:", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=not-a-port")]
    [InlineData("Bogus Key=1")]
    public void A_string_that_is_not_a_connection_string_is_refused(string text)
    {
        var e = Assert.Throws<StoreException>(() => VigilDatabase.OpenPostgres(text));

        Assert.StartsWith("not a PostgreSQL connection string: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instances_opening_one_database_at_once_migrate_it_once()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(Open))).WaitAsync(TimeSpan.FromSeconds(60));

        using var command = opened[0].Connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations";
        Assert.Equal((long)Vigil.Store.Schema.Migrations.All.Count, (long)command.ExecuteScalar()!);
        foreach (var database in opened)
        {
            database.Dispose();
        }
    }
}
