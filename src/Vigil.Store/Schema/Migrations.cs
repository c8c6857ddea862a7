namespace Vigil.Store.Schema;

/// <summary>
/// Vigil's schema, one migration after another. A migration is never edited once released: a change is a new one.
/// Written for SQLite and PostgreSQL alike (<see cref="Dialect.Render"/> fills in the auto-numbered key). Times are ISO
/// 8601 text in UTC; event times (the data's clock) and wall times (when something was done) are named apart.
/// </summary>
public static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "the model registry", """
            CREATE TABLE models (
                run TEXT NOT NULL,
                number BIGINT NOT NULL,
                version TEXT NOT NULL,
                kind TEXT NOT NULL,
                state TEXT NOT NULL,
                trained_at_event TEXT NOT NULL,
                rows BIGINT NOT NULL,
                frauds BIGINT NOT NULL,
                window_from_event TEXT NOT NULL,
                window_to_event TEXT NOT NULL,
                threshold DOUBLE PRECISION NOT NULL,
                judged_at_event TEXT,
                retired_at_event TEXT,
                verdict TEXT,
                path TEXT,
                PRIMARY KEY (run, number)
            );
            CREATE TABLE model_events (
                id {identity},
                run TEXT NOT NULL,
                number BIGINT NOT NULL,
                version TEXT NOT NULL,
                at_wall TEXT NOT NULL,
                state_before TEXT,
                state_after TEXT NOT NULL,
                detail TEXT
            );
            CREATE INDEX model_events_by_model ON model_events (run, number);
            """),
        new(2, "cases, their alerts and the audit trail", """
            CREATE TABLE cases (
                id {identity},
                run TEXT NOT NULL,
                card TEXT NOT NULL,
                status TEXT NOT NULL,
                opened_at_event TEXT NOT NULL,
                last_alert_at_event TEXT NOT NULL,
                alerts BIGINT NOT NULL,
                amount DOUBLE PRECISION NOT NULL,
                priority DOUBLE PRECISION NOT NULL,
                assignee TEXT,
                decided_by TEXT,
                decided_at_wall TEXT,
                note TEXT
            );
            CREATE INDEX cases_by_status ON cases (run, status, priority);
            CREATE INDEX cases_by_card ON cases (run, card);
            CREATE TABLE case_alerts (
                id {identity},
                case_id BIGINT NOT NULL REFERENCES cases (id),
                transaction_id TEXT,
                at_event TEXT NOT NULL,
                amount DOUBLE PRECISION NOT NULL,
                terminal TEXT,
                score DOUBLE PRECISION NOT NULL,
                reasons TEXT NOT NULL,
                record TEXT NOT NULL
            );
            CREATE INDEX case_alerts_by_case ON case_alerts (case_id);
            CREATE TABLE audit (
                id {identity},
                run TEXT NOT NULL,
                at_wall TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                before TEXT,
                after TEXT,
                note TEXT
            );
            CREATE INDEX audit_by_subject ON audit (run, subject);
            {append_only:audit};
            {append_only:model_events}
            """),
    ];

    /// <summary>The schema version this Vigil writes.</summary>
    public static int Latest => All[^1].Version;
}
