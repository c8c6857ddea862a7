namespace Vigil.Store;

/// <summary>What differs between the databases Vigil writes to: the few words of SQL that are not standard.</summary>
public sealed record Dialect(string Name, string IdentityColumn)
{
    public static readonly Dialect Sqlite = new("SQLite", "INTEGER PRIMARY KEY AUTOINCREMENT");

    public static readonly Dialect Postgres = new("PostgreSQL", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY");

    /// <summary>A migration's SQL for this database: <c>{identity}</c> becomes its auto-numbered key column.</summary>
    public string Render(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return sql.Replace("{identity}", IdentityColumn, StringComparison.Ordinal);
    }
}
