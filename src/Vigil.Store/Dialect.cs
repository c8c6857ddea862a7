using System.Text.RegularExpressions;

namespace Vigil.Store;

/// <summary>What differs between the databases Vigil writes to: the few words of SQL that are not standard.</summary>
/// <param name="AppendOnly">The statements that make a table refuse updates and deletes, given its name.</param>
public sealed partial record Dialect(string Name, string IdentityColumn, Func<string, string> AppendOnly)
{
    public static readonly Dialect Sqlite = new("SQLite", "INTEGER PRIMARY KEY AUTOINCREMENT", table => $"""
        CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
        CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END
        """);

    public static readonly Dialect Postgres = new("PostgreSQL", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", table => $"""
        CREATE OR REPLACE FUNCTION vigil_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION vigil_append_only()
        """);

    /// <summary>
    /// A migration's SQL for this database: <c>{identity}</c> becomes its auto-numbered key column, and
    /// <c>{append_only:TABLE}</c> the statements that make TABLE refuse updates and deletes.
    /// </summary>
    public string Render(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return AppendOnlyMarker().Replace(sql.Replace("{identity}", IdentityColumn, StringComparison.Ordinal), m => AppendOnly(m.Groups[1].Value));
    }

    [GeneratedRegex(@"\{append_only:([a-z_]+)\}")]
    private static partial Regex AppendOnlyMarker();
}
