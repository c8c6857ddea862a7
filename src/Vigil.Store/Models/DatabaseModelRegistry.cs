using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Vigil.Learning.Retraining;
using Vigil.Models;
using Vigil.Runtime.Quality;

namespace Vigil.Store.Models;

/// <summary>
/// The model registry in Vigil's database: one row per model of each run (table <c>models</c>), and every change of
/// state appended to <c>model_events</c> (when, before, after, why), never rewritten. The model files themselves stay
/// files in the run's folder (<see cref="ModelFolder"/>, which also writes <c>models.json</c> for people and scripts).
/// </summary>
public sealed class DatabaseModelRegistry(VigilDatabase database, ModelFolder files, string run) : IModelRegistry
{
    private static readonly JsonSerializerOptions Compact = new(RetrainingStatus.Json) { WriteIndented = false };

    public string Run { get; } = run;

    public string Location => $"{database.Location} (run {Run}), model files in {files.Directory}";

    public string? Keep(ModelRecord record, Model model) => files.Keep(record, model);

    public void Save(IReadOnlyList<ModelRecord> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        files.Save(models);
        lock (database.Gate)
        {
            using var transaction = database.Connection.BeginTransaction();
            foreach (var model in models)
            {
                var before = State(transaction, model.Number);
                if (before == Text(model.State) && !Changed(transaction, model))
                {
                    continue;
                }

                Upsert(transaction, model);
                Event(transaction, model, before);
            }

            transaction.Commit();
        }
    }

    /// <summary>Every model in the database, run by run, oldest first.</summary>
    public static IReadOnlyList<(string Run, ModelRecord Model)> List(VigilDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        using var command = Commands.Create(database.Connection, null, """
            SELECT run, number, version, kind, state, trained_at_event, rows, frauds, window_from_event, window_to_event,
                   threshold, judged_at_event, retired_at_event, verdict, path
            FROM models ORDER BY run, number
            """);
        using var reader = command.ExecuteReader();
        var models = new List<(string, ModelRecord)>();
        while (reader.Read())
        {
            models.Add((reader.GetString(0), new ModelRecord(
                (int)reader.GetInt64(1), reader.GetString(2), reader.GetString(3), StoreTime.Ms(reader.GetString(5)), (int)reader.GetInt64(6), (int)reader.GetInt64(7),
                StoreTime.Ms(reader.GetString(8)), StoreTime.Ms(reader.GetString(9)), reader.GetDouble(10))
            {
                State = Enum.Parse<ModelState>(reader.GetString(4), ignoreCase: true),
                JudgedAtMs = reader.IsDBNull(11) ? null : StoreTime.Ms(reader.GetString(11)),
                RetiredAtMs = reader.IsDBNull(12) ? null : StoreTime.Ms(reader.GetString(12)),
                Verdict = reader.IsDBNull(13) ? null : JsonSerializer.Deserialize<Verdict>(reader.GetString(13), RetrainingStatus.Json),
                Path = reader.IsDBNull(14) ? null : reader.GetString(14),
            }));
        }

        return models;
    }

    /// <summary>The changes of state of one model, in the order they were made: (wall time, before, after, detail).</summary>
    public static IReadOnlyList<(DateTimeOffset At, string? Before, string After, string? Detail)> History(VigilDatabase database, string run, int number)
    {
        ArgumentNullException.ThrowIfNull(database);
        using var command = Commands.Create(database.Connection, null, "SELECT at_wall, state_before, state_after, detail FROM model_events WHERE run = @run AND number = @number ORDER BY id")
            .With("@run", run)
            .With("@number", (long)number);
        using var reader = command.ExecuteReader();
        var events = new List<(DateTimeOffset, string?, string, string?)>();
        while (reader.Read())
        {
            events.Add((StoreTime.Wall(reader.GetString(0)),
                reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return events;
    }

    private string? State(DbTransaction transaction, int number)
    {
        using var command = Command(transaction, "SELECT state FROM models WHERE run = @run AND number = @number").With("@number", (long)number);
        return command.ExecuteScalar() as string;
    }

    /// <summary>Whether what the row says besides the state (a path written late) differs.</summary>
    private bool Changed(DbTransaction transaction, ModelRecord model)
    {
        using var command = Command(transaction, "SELECT COUNT(*) FROM models WHERE run = @run AND number = @number AND path IS NOT DISTINCT FROM @path")
            .With("@number", (long)model.Number)
            .With("@path", model.Path);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0;
    }

    private void Upsert(DbTransaction transaction, ModelRecord model)
    {
        using var command = Command(transaction, """
            INSERT INTO models (run, number, version, kind, state, trained_at_event, rows, frauds, window_from_event, window_to_event,
                                threshold, judged_at_event, retired_at_event, verdict, path)
            VALUES (@run, @number, @version, @kind, @state, @trained, @rows, @frauds, @from, @to, @threshold, @judged, @retired, @verdict, @path)
            ON CONFLICT (run, number) DO UPDATE SET
                state = excluded.state, judged_at_event = excluded.judged_at_event, retired_at_event = excluded.retired_at_event,
                verdict = excluded.verdict, path = excluded.path
            """)
            .With("@number", (long)model.Number)
            .With("@version", model.Version)
            .With("@kind", model.Kind)
            .With("@state", Text(model.State))
            .With("@trained", StoreTime.Iso(model.TrainedAtMs))
            .With("@rows", (long)model.Rows)
            .With("@frauds", (long)model.Frauds)
            .With("@from", StoreTime.Iso(model.FromMs))
            .With("@to", StoreTime.Iso(model.ToMs))
            .With("@threshold", model.Threshold)
            .With("@judged", model.JudgedAtMs is { } judged ? StoreTime.Iso(judged) : null)
            .With("@retired", model.RetiredAtMs is { } retired ? StoreTime.Iso(retired) : null)
            .With("@verdict", model.Verdict is { } verdict ? JsonSerializer.Serialize(verdict, Compact) : null)
            .With("@path", model.Path);
        command.ExecuteNonQuery();
    }

    private void Event(DbTransaction transaction, ModelRecord model, string? before)
    {
        using var command = Command(transaction, """
            INSERT INTO model_events (run, number, version, at_wall, state_before, state_after, detail)
            VALUES (@run, @number, @version, @at, @before, @after, @detail)
            """)
            .With("@number", (long)model.Number)
            .With("@version", model.Version)
            .With("@at", StoreTime.Now())
            .With("@before", before)
            .With("@after", Text(model.State))
            .With("@detail", before is null ? $"trained on {model.Rows} transactions ({model.Frauds} frauds)" : model.Verdict?.Reason);
        command.ExecuteNonQuery();
    }

    private DbCommand Command(DbTransaction transaction, string sql) => Commands.Create(database.Connection, transaction, sql).With("@run", Run);

    private static string Text(ModelState state) => state.ToString().ToLowerInvariant();
}
