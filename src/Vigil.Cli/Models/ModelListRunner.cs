using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Runtime.Quality;
using Vigil.Store;
using Vigil.Store.Models;

namespace Vigil.Cli.Models;

/// <summary><c>vigil models</c>: the models the pipeline trained and kept, run by run, from Vigil's database.</summary>
public sealed class ModelListRunner(VigilSettings settings, IAnsiConsole console)
{
    public int Run()
    {
        var retraining = settings.Retraining;
        if (!retraining.DatabaseExists)
        {
            console.MarkupLine(Markup.Escape($"no models yet: {retraining.DatabaseFile} does not exist (vigil demo without --model trains and keeps them)"));
            return 0;
        }

        var database = retraining.OpenDatabase();
        using (database)
        {
            var models = DatabaseModelRegistry.List(database);
            var runs = models.Select(m => m.Run).Distinct().Count();
            console.MarkupLine(Markup.Escape($"Vigil models · {database.Location} · {models.Count} {(models.Count == 1 ? "model" : "models")} in {runs} {(runs == 1 ? "run" : "runs")}"));
            if (models.Count == 0)
            {
                return 0;
            }

            var table = new Table().Border(TableBorder.Simple);
            foreach (var header in new[] { "run", "model", "trained", "rows (frauds)", "threshold", "state", "verdict" })
            {
                table.AddColumn(new TableColumn(header));
            }

            var c = CultureInfo.InvariantCulture;
            foreach (var (run, model) in models)
            {
                table.AddRow(
                    Markup.Escape(run), Markup.Escape(model.Version), Day(model.TrainedAtMs), string.Create(c, $"{model.Rows:N0} ({model.Frauds:N0})"),
                    model.Threshold.ToString("G3", c), State(model), Markup.Escape(model.Verdict?.Reason ?? "not judged yet"));
            }

            console.Write(table);
            console.MarkupLine("[grey]each model's file is the path in the models table; its changes of state are in model_events (docs/DATABASE.md)[/]");
        }

        return 0;
    }

    private static string State(ModelRecord model) => model.State switch
    {
        ModelState.Champion => $"[green]deciding[/] since {Day(model.JudgedAtMs)}",
        ModelState.Retired => $"decided {Day(model.JudgedAtMs)} to {Day(model.RetiredAtMs)}",
        ModelState.Rejected => "not promoted",
        _ => "in shadow",
    };

    private static string Day(long? ms) => ms is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "–";
}
