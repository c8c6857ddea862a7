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
    ];

    /// <summary>The schema version this Vigil writes.</summary>
    public static int Latest => All[^1].Version;
}
