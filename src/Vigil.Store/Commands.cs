using System.Data;
using System.Data.Common;

namespace Vigil.Store;

/// <summary>Commands on any of Vigil's databases, with <c>@name</c> parameters (which SQLite and PostgreSQL both read).</summary>
internal static class Commands
{
    public static DbCommand Create(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Adds a parameter; null is SQL's NULL. Text is typed as text, so that a NULL compared with a column is understood.</summary>
    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        if (value is null or string)
        {
            parameter.DbType = DbType.String;
        }

        command.Parameters.Add(parameter);
        return command;
    }

    public static void Execute(DbConnection connection, DbTransaction? transaction, string sql)
    {
        using var command = Create(connection, transaction, sql);
        command.ExecuteNonQuery();
    }
}
