using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vigil.Learning.Retraining;
using Vigil.Models;
using Vigil.Runtime.Quality;

namespace Vigil.Store.Models;

/// <summary>
/// The model registry in Vigil's database: one row per model of each run (table <c>models</c>), and every change of
/// state appended to <c>model_events</c> (when, before, after, why), never rewritten. The model files themselves stay
/// files in the run's folder (<see cref="ModelFolder"/>, which also writes <c>models.json</c> for people and scripts).
/// </summary>
public sealed class SqliteModelRegistry(VigilDatabase database, ModelFolder files, string run) : IModelRegistry
{
    private static readonly JsonSerializerOptions Compact = new(RetrainingStatus.Json) { WriteIndented = false };

    private readonly Lock _gate = new();

    public string Run { get; } = run;

    public string Location => $"{database.Path} (run {Run}), model files in {files.Directory}";

    public string? Keep(ModelRecord record, Model model) => files.Keep(record, model);

    public void Save(IReadOnlyList<ModelRecord> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        files.Save(models);
        lock (_gate)
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
        using var command = database.Connection.CreateCommand();
        command.CommandText = """
            SELECT run, number, version, kind, state, trained_at_event, rows, frauds, window_from_event, window_to_event,
                   threshold, judged_at_event, retired_at_event, verdict, path
            FROM models ORDER BY run, number
            """;
        using var reader = command.ExecuteReader();
        var models = new List<(string, ModelRecord)>();
        while (reader.Read())
        {
            models.Add((reader.GetString(0), new ModelRecord(
                reader.GetInt32(1), reader.GetString(2), reader.GetString(3), Ms(reader.GetString(5)), reader.GetInt32(6), reader.GetInt32(7),
                Ms(reader.GetString(8)), Ms(reader.GetString(9)), reader.GetDouble(10))
            {
                State = Enum.Parse<ModelState>(reader.GetString(4), ignoreCase: true),
                JudgedAtMs = reader.IsDBNull(11) ? null : Ms(reader.GetString(11)),
                RetiredAtMs = reader.IsDBNull(12) ? null : Ms(reader.GetString(12)),
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
        using var command = database.Connection.CreateCommand();
        command.CommandText = "SELECT at_wall, state_before, state_after, detail FROM model_events WHERE run = $run AND number = $number ORDER BY id";
        command.Parameters.AddWithValue("$run", run);
        command.Parameters.AddWithValue("$number", number);
        using var reader = command.ExecuteReader();
        var events = new List<(DateTimeOffset, string?, string, string?)>();
        while (reader.Read())
        {
            events.Add((DateTimeOffset.Parse(reader.GetString(0), CultureInfo.InvariantCulture),
                reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return events;
    }

    private string? State(SqliteTransaction transaction, int number)
    {
        using var command = Command(transaction, "SELECT state FROM models WHERE run = $run AND number = $number");
        command.Parameters.AddWithValue("$number", number);
        return command.ExecuteScalar() as string;
    }

    /// <summary>Whether what the row says besides the state (a path written late) differs.</summary>
    private bool Changed(SqliteTransaction transaction, ModelRecord model)
    {
        using var command = Command(transaction, "SELECT COUNT(*) FROM models WHERE run = $run AND number = $number AND path IS $path");
        command.Parameters.AddWithValue("$number", model.Number);
        command.Parameters.AddWithValue("$path", (object?)model.Path ?? DBNull.Value);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0;
    }

    private void Upsert(SqliteTransaction transaction, ModelRecord model)
    {
        using var command = Command(transaction, """
            INSERT INTO models (run, number, version, kind, state, trained_at_event, rows, frauds, window_from_event, window_to_event,
                                threshold, judged_at_event, retired_at_event, verdict, path)
            VALUES ($run, $number, $version, $kind, $state, $trained, $rows, $frauds, $from, $to, $threshold, $judged, $retired, $verdict, $path)
            ON CONFLICT (run, number) DO UPDATE SET
                state = excluded.state, judged_at_event = excluded.judged_at_event, retired_at_event = excluded.retired_at_event,
                verdict = excluded.verdict, path = excluded.path
            """);
        command.Parameters.AddWithValue("$number", model.Number);
        command.Parameters.AddWithValue("$version", model.Version);
        command.Parameters.AddWithValue("$kind", model.Kind);
        command.Parameters.AddWithValue("$state", Text(model.State));
        command.Parameters.AddWithValue("$trained", Iso(model.TrainedAtMs));
        command.Parameters.AddWithValue("$rows", model.Rows);
        command.Parameters.AddWithValue("$frauds", model.Frauds);
        command.Parameters.AddWithValue("$from", Iso(model.FromMs));
        command.Parameters.AddWithValue("$to", Iso(model.ToMs));
        command.Parameters.AddWithValue("$threshold", model.Threshold);
        command.Parameters.AddWithValue("$judged", model.JudgedAtMs is { } judged ? Iso(judged) : DBNull.Value);
        command.Parameters.AddWithValue("$retired", model.RetiredAtMs is { } retired ? Iso(retired) : DBNull.Value);
        command.Parameters.AddWithValue("$verdict", model.Verdict is { } verdict ? JsonSerializer.Serialize(verdict, Compact) : DBNull.Value);
        command.Parameters.AddWithValue("$path", (object?)model.Path ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private void Event(SqliteTransaction transaction, ModelRecord model, string? before)
    {
        using var command = Command(transaction, """
            INSERT INTO model_events (run, number, version, at_wall, state_before, state_after, detail)
            VALUES ($run, $number, $version, $at, $before, $after, $detail)
            """);
        command.Parameters.AddWithValue("$number", model.Number);
        command.Parameters.AddWithValue("$version", model.Version);
        command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$before", (object?)before ?? DBNull.Value);
        command.Parameters.AddWithValue("$after", Text(model.State));
        command.Parameters.AddWithValue("$detail", before is null ? $"trained on {model.Rows} transactions ({model.Frauds} frauds)" : (object?)model.Verdict?.Reason ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = database.Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$run", Run);
        return command;
    }

    private static string Text(ModelState state) => state.ToString().ToLowerInvariant();

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static long Ms(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds();
}
