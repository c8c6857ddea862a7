using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Vigil.Store.Tests;

public sealed class SqliteStoreTests : StoreContract
{
    private readonly SqliteConnection _memory = new("Data Source=:memory:");

    protected override Dialect Dialect => Dialect.Sqlite;

    protected override VigilDatabase Open() => VigilDatabase.Open(Directory);

    protected override DbConnection Empty()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        return connection;
    }

    public override void Dispose()
    {
        _memory.Dispose();
        SqliteConnection.ClearAllPools();
        base.Dispose();
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_with_its_name()
    {
        var path = Path.Combine(Directory, VigilDatabase.FileName);
        File.WriteAllText(path, "this is a text file, long enough to have a header that is not SQLite's, certainly not.");

        var e = Assert.Throws<StoreException>(Open);

        Assert.Equal($"{path} is not a SQLite database", e.Message);
    }
}
