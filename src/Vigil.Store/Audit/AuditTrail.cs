using System.Data.Common;

namespace Vigil.Store.Audit;

/// <summary>
/// One run's audit trail (table <c>audit</c>): who did what to which subject (<c>case 12</c>, <c>model 3</c>), when,
/// with the state before and after and a note. The database keeps it append-only (its triggers refuse to change a
/// line); this class only appends and reads. Safe to use from several threads (the database's gate).
/// </summary>
public sealed class AuditTrail(VigilDatabase database, string run)
{
    public string Run { get; } = run;

    /// <summary>Appends one line in a transaction of its own.</summary>
    public void Append(string actor, string action, string subject, string? before, string? after, string? note)
    {
        lock (database.Gate)
        {
            using var transaction = database.Connection.BeginTransaction();
            Append(transaction, actor, action, subject, before, after, note);
            transaction.Commit();
        }
    }

    /// <summary>Appends one line inside a transaction the caller holds (under the database's gate), so that it stands or falls with the change it records.</summary>
    internal void Append(DbTransaction transaction, string actor, string action, string subject, string? before, string? after, string? note)
    {
        using var command = Commands.Create(database.Connection, transaction, """
            INSERT INTO audit (run, at_wall, actor, action, subject, before, after, note) VALUES (@run, @at, @actor, @action, @subject, @before, @after, @note)
            """)
            .With("@run", Run).With("@at", StoreTime.Now()).With("@actor", actor).With("@action", action).With("@subject", subject)
            .With("@before", before).With("@after", after).With("@note", note);
        command.ExecuteNonQuery();
    }

    /// <summary>The trail, newest first: of one subject, or of everything in the run.</summary>
    public IReadOnlyList<AuditEntry> Read(string? subject = null, int limit = 200)
    {
        lock (database.Gate)
        {
            return ReadHeld(subject, limit);
        }
    }

    /// <summary><see cref="Read"/> for a caller that holds the database's gate.</summary>
    internal List<AuditEntry> ReadHeld(string? subject, int limit)
    {
        using var command = Commands.Create(database.Connection, null,
                $"SELECT id, at_wall, actor, action, subject, before, after, note FROM audit WHERE run = @run {(subject is null ? string.Empty : "AND subject = @subject")} ORDER BY id DESC LIMIT @limit")
            .With("@run", Run)
            .With("@limit", (long)Math.Clamp(limit, 1, 10_000));
        if (subject is not null)
        {
            command.With("@subject", subject);
        }

        using var reader = command.ExecuteReader();
        var entries = new List<AuditEntry>();
        while (reader.Read())
        {
            entries.Add(new AuditEntry(reader.GetInt64(0), StoreTime.Wall(reader.GetString(1)), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return entries;
    }
}

/// <summary>One line of the audit trail: who did what to which subject, when, with the state before and after.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string Subject, string? Before, string? After, string? Note);
