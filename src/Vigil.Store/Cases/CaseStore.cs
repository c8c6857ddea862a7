using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Vigil.Store.Audit;

namespace Vigil.Store.Cases;

/// <summary>
/// Cases in Vigil's database, for one run: every alert opens a case for its card or joins the card's open case
/// (<c>cases</c>, <c>case_alerts</c>); analysts assign and decide them; every action is appended to <c>audit</c>, which
/// the database itself keeps append-only. Safe to use from several threads (the database's gate).
/// </summary>
public sealed class CaseStore(VigilDatabase database, string run)
{
    /// <summary>The actor the audit trail names for what Vigil does by itself (opening cases).</summary>
    public const string System = "vigil";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Each card's open case, as this store opened or found it (under the database's gate): one writer files a run's
    /// alerts, so only its own decisions close them. Bounded: past the limit it is forgotten and the database asked.
    /// </summary>
    private readonly Dictionary<string, long> _openByCard = new(StringComparer.Ordinal);

    private const int MaxRemembered = 100_000;

    private readonly AuditTrail _audit = new(database, run);

    public string Run { get; } = run;

    public string Location => $"{database.Location} (run {Run})";

    /// <summary>Files alerts in one transaction: each joins its card's open case or opens one. Returns the cases opened.</summary>
    public int Record(IReadOnlyList<CaseAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        if (alerts.Count == 0)
        {
            return 0;
        }

        var opened = 0;
        lock (database.Gate)
        {
            using var transaction = database.Connection.BeginTransaction();
            try
            {
                opened = Record(transaction, alerts);
            }
            catch
            {
                _openByCard.Clear(); // it may name cases the rollback took back
                throw;
            }

            transaction.Commit();
        }

        return opened;
    }

    /// <summary>Files the alerts with two statements prepared once and bound per alert (and one more for each case opened).</summary>
    private int Record(DbTransaction transaction, IReadOnlyList<CaseAlert> alerts)
    {
        var opened = 0;
        using var join = Command(transaction, """
            UPDATE cases SET alerts = alerts + 1, amount = amount + @amount,
                priority = CASE WHEN @score > priority THEN @score ELSE priority END,
                last_alert_at_event = CASE WHEN @at > last_alert_at_event THEN @at ELSE last_alert_at_event END
            WHERE id = @id
            """).With("@id", 0L).With("@amount", 0.0).With("@score", 0.0).With("@at", string.Empty);
        using var insert = Command(transaction, """
            INSERT INTO case_alerts (case_id, transaction_id, at_event, amount, terminal, score, reasons, record)
            VALUES (@case, @transaction, @at, @amount, @terminal, @score, @reasons, @record)
            """).With("@case", 0L).With("@transaction", string.Empty).With("@at", string.Empty).With("@amount", 0.0)
            .With("@terminal", string.Empty).With("@score", 0.0).With("@reasons", string.Empty).With("@record", string.Empty);
        join.Prepare();
        insert.Prepare();
        foreach (var alert in alerts)
        {
            var at = StoreTime.Iso(alert.AtMs);
            var id = _openByCard.TryGetValue(alert.Card, out var known) ? known : OpenCase(transaction, alert.Card);
            if (id is null)
            {
                id = Open(transaction, alert);
                opened++;
            }
            else
            {
                Bind(join, ("@id", id.Value), ("@amount", alert.Amount), ("@score", alert.Score), ("@at", at));
                join.ExecuteNonQuery();
            }

            if (_openByCard.Count >= MaxRemembered)
            {
                _openByCard.Clear();
            }

            _openByCard[alert.Card] = id.Value;
            Bind(insert, ("@case", id.Value), ("@transaction", alert.TransactionId), ("@at", at), ("@amount", alert.Amount), ("@terminal", alert.Terminal),
                ("@score", alert.Score), ("@reasons", JsonSerializer.Serialize(alert.Reasons, Json)), ("@record", alert.Record));
            insert.ExecuteNonQuery();
        }

        return opened;
    }

    private static void Bind(DbCommand command, params ReadOnlySpan<(string Name, object? Value)> values)
    {
        foreach (var (name, value) in values)
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }
    }

    /// <summary>A page of the queue.</summary>
    public CasePage Queue(CaseQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = "run = @run" + (query.Status is null ? string.Empty : " AND status = @status") + (query.Assignee is null ? string.Empty : " AND assignee = @assignee");
        var order = query.Order switch
        {
            CaseOrder.Newest => "last_alert_at_event DESC, id DESC",
            CaseOrder.Alerts => "alerts DESC, priority DESC, id",
            CaseOrder.Amount => "amount DESC, id",
            _ => "priority DESC, last_alert_at_event DESC, id",
        };
        lock (database.Gate)
        {
            using var count = Filtered(Command(null, $"SELECT COUNT(*) FROM cases WHERE {where}"), query);
            var matching = Convert.ToInt32(count.ExecuteScalar(), CultureInfo.InvariantCulture);
            using var page = Filtered(Command(null, $"{SelectCase} WHERE {where} ORDER BY {order} LIMIT @limit OFFSET @offset"), query)
                .With("@limit", (long)Math.Clamp(query.Limit, 1, 500))
                .With("@offset", (long)Math.Max(0, query.Offset));
            return new CasePage(matching, Cases(page), Counts());
        }
    }

    /// <summary>A case with its alerts, the card's other cases and its audit trail; null when this run has no such case.</summary>
    public CaseDetail? Find(long id)
    {
        lock (database.Gate)
        {
            if (Case(null, id) is not { } found)
            {
                return null;
            }

            var list = Alerts(null, found);
            using var history = Command(null, $"{SelectCase} WHERE run = @run AND card = @card AND id <> @id ORDER BY id DESC LIMIT 20").With("@card", found.Card).With("@id", id);
            return new CaseDetail(found, list, Cases(history), _audit.ReadHeld(Subject(id), 100));
        }
    }

    /// <summary>Gives the case to an analyst (null: to nobody); appended to the audit trail.</summary>
    /// <exception cref="KeyNotFoundException">This run has no such case.</exception>
    public CaseSummary Assign(long id, string? assignee, string actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        assignee = string.IsNullOrWhiteSpace(assignee) ? null : assignee.Trim();
        lock (database.Gate)
        {
            using var transaction = database.Connection.BeginTransaction();
            var before = Case(transaction, id) ?? throw new KeyNotFoundException($"there is no case {id}");
            using var update = Command(transaction, "UPDATE cases SET assignee = @assignee WHERE id = @id").With("@id", id).With("@assignee", assignee);
            update.ExecuteNonQuery();
            _audit.Append(transaction, actor, "assign", Subject(id), before.Assignee, assignee, null);
            var after = Case(transaction, id)!;
            transaction.Commit();
            return after;
        }
    }

    /// <summary>Decides an open case fraud or genuine, with the analyst's note; returns it and its alerts (each now has a label).</summary>
    /// <exception cref="KeyNotFoundException">This run has no such case.</exception>
    /// <exception cref="CaseConflictException">The case is decided already.</exception>
    public (CaseSummary Case, IReadOnlyList<CaseAlert> Alerts) Decide(long id, bool fraud, string? note, string actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        var status = fraud ? CaseStatus.Fraud : CaseStatus.Genuine;
        lock (database.Gate)
        {
            using var transaction = database.Connection.BeginTransaction();
            var before = Case(transaction, id) ?? throw new KeyNotFoundException($"there is no case {id}");
            if (before.Status != CaseStatus.Open)
            {
                throw new CaseConflictException($"case {id} was decided {Text(before.Status)} by {before.DecidedBy} at {before.DecidedAt:u}");
            }

            _openByCard.Remove(before.Card);
            using var update = Command(transaction, "UPDATE cases SET status = @status, decided_by = @actor, decided_at_wall = @at, note = @note WHERE id = @id")
                .With("@id", id).With("@status", Text(status)).With("@actor", actor).With("@at", StoreTime.Now()).With("@note", note);
            update.ExecuteNonQuery();
            _audit.Append(transaction, actor, "decide", Subject(id), Text(before.Status), Text(status), note);
            var after = Case(transaction, id)!;
            var list = Alerts(transaction, after);
            transaction.Commit();
            return (after, list);
        }
    }

    /// <summary>This run's audit trail, newest first: of one subject (<c>case 12</c>), or of everything.</summary>
    public IReadOnlyList<AuditEntry> AuditTrail(string? subject = null, int limit = 200) => _audit.Read(subject, limit);

    /// <summary>The runs that have cases, newest first (run names sort by their start time), with how many each has.</summary>
    public static IReadOnlyList<(string Run, int Cases)> Runs(VigilDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        lock (database.Gate)
        {
            using var command = Commands.Create(database.Connection, null, "SELECT run, COUNT(*) FROM cases GROUP BY run ORDER BY run DESC");
            using var reader = command.ExecuteReader();
            var runs = new List<(string, int)>();
            while (reader.Read())
            {
                runs.Add((reader.GetString(0), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture)));
            }

            return runs;
        }
    }

    /// <summary>The subject the audit trail names a case by.</summary>
    public static string Subject(long id) => $"case {id}";

    public static string Text(CaseStatus status) => status.ToString().ToLowerInvariant();

    private const string SelectCase = """
        SELECT id, card, status, opened_at_event, last_alert_at_event, alerts, amount, priority, assignee, decided_by, decided_at_wall, note FROM cases
        """;

    private long? OpenCase(DbTransaction transaction, string card)
    {
        using var command = Command(transaction, "SELECT id FROM cases WHERE run = @run AND card = @card AND status = 'open'").With("@card", card);
        return command.ExecuteScalar() is { } id and not DBNull ? Convert.ToInt64(id, CultureInfo.InvariantCulture) : null;
    }

    private long Open(DbTransaction transaction, CaseAlert alert)
    {
        using var command = Command(transaction, """
            INSERT INTO cases (run, card, status, opened_at_event, last_alert_at_event, alerts, amount, priority)
            VALUES (@run, @card, 'open', @at, @at, 1, @amount, @score) RETURNING id
            """).With("@card", alert.Card).With("@at", StoreTime.Iso(alert.AtMs)).With("@amount", alert.Amount).With("@score", alert.Score);
        var id = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        _audit.Append(transaction, System, "open", Subject(id), null, Text(CaseStatus.Open), $"card {alert.Card}, transaction {alert.TransactionId ?? "?"} scored {alert.Score:0.###}");
        return id;
    }

    /// <summary>A case's alerts, in event-time order.</summary>
    private List<CaseAlert> Alerts(DbTransaction? transaction, CaseSummary found)
    {
        using var alerts = Command(transaction, "SELECT transaction_id, at_event, amount, terminal, score, reasons, record FROM case_alerts WHERE case_id = @id ORDER BY at_event, id")
            .With("@id", found.Id);
        using var reader = alerts.ExecuteReader();
        var list = new List<CaseAlert>();
        while (reader.Read())
        {
            list.Add(new CaseAlert(
                reader.IsDBNull(0) ? null : reader.GetString(0), StoreTime.Ms(reader.GetString(1)), found.Card, reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetDouble(2), reader.GetDouble(4), JsonSerializer.Deserialize<List<CaseReason>>(reader.GetString(5), Json) ?? [], reader.GetString(6)));
        }

        return list;
    }

    private CaseSummary? Case(DbTransaction? transaction, long id)
    {
        using var command = Command(transaction, $"{SelectCase} WHERE run = @run AND id = @id").With("@id", id);
        return Cases(command) is [var found] ? found : null;
    }

    private CaseCounts Counts()
    {
        using var command = Command(null, "SELECT status, COUNT(*) FROM cases WHERE run = @run GROUP BY status");
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.Read())
        {
            counts[reader.GetString(0)] = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture);
        }

        return new CaseCounts(counts.GetValueOrDefault("open"), counts.GetValueOrDefault("fraud"), counts.GetValueOrDefault("genuine"));
    }

    private static List<CaseSummary> Cases(DbCommand command)
    {
        using var reader = command.ExecuteReader();
        var cases = new List<CaseSummary>();
        while (reader.Read())
        {
            cases.Add(new CaseSummary(
                reader.GetInt64(0), reader.GetString(1), Enum.Parse<CaseStatus>(reader.GetString(2), ignoreCase: true), StoreTime.Ms(reader.GetString(3)),
                StoreTime.Ms(reader.GetString(4)), (int)reader.GetInt64(5), reader.GetDouble(6), reader.GetDouble(7),
                reader.IsDBNull(8) ? null : reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(10) ? null : StoreTime.Wall(reader.GetString(10)), reader.IsDBNull(11) ? null : reader.GetString(11)));
        }

        return cases;
    }

    private static DbCommand Filtered(DbCommand command, CaseQuery query)
    {
        if (query.Status is { } status)
        {
            command.With("@status", Text(status));
        }

        if (query.Assignee is { } assignee)
        {
            command.With("@assignee", assignee);
        }

        return command;
    }

    private DbCommand Command(DbTransaction? transaction, string sql) => Commands.Create(database.Connection, transaction, sql).With("@run", Run);
}
