using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Store.Cases;

namespace Vigil.Cli.Cases;

/// <summary><c>vigil cases</c>: the cases of one run, or its audit trail, from Vigil's database.</summary>
public sealed class CaseListRunner(VigilSettings settings, LayeredConfiguration configuration, IAnsiConsole console)
{
    private const int MaxShown = 500;

    public int Run()
    {
        var read = new SettingReader(configuration);
        var wanted = read.OptionalText("CaseList:Run");
        var status = read.Text("CaseList:Status", "all").Trim().ToLowerInvariant() switch
        {
            "all" => (CaseStatus?)null,
            var s when Enum.TryParse<CaseStatus>(s, ignoreCase: true, out var parsed) && !int.TryParse(s, out _) => parsed,
            var s => throw new UsageException($"invalid {configuration.Origin("CaseList:Status")} '{s}': expected open, fraud, genuine or all"),
        };
        var audit = read.Flag("CaseList:Audit", false);
        var data = settings.Retraining;
        if (!data.DatabaseExists)
        {
            console.MarkupLine(Markup.Escape($"no cases yet: {data.DatabaseFile} does not exist (vigil demo files its alerts as cases)"));
            return 0;
        }

        using var database = data.OpenDatabase();
        var runs = CaseStore.Runs(database);
        if (runs.Count == 0)
        {
            console.MarkupLine(Markup.Escape($"no cases yet in {database.Location} (vigil demo files its alerts as cases)"));
            return 0;
        }

        var run = wanted ?? runs[0].Run;
        if (!runs.Any(r => r.Run == run))
        {
            throw new UsageException($"--run {run}: no such run with cases in {database.Location}; runs: {string.Join(", ", runs.Take(10).Select(r => r.Run))}");
        }

        var store = new CaseStore(database, run);
        var page = store.Queue(new CaseQuery(status, Limit: MaxShown));
        var c = CultureInfo.InvariantCulture;
        console.MarkupLine(Markup.Escape(string.Create(c,
            $"Vigil cases · {store.Location} · {page.Counts.Open:N0} open, {page.Counts.Fraud:N0} fraud, {page.Counts.Genuine:N0} genuine · {runs.Count} {(runs.Count == 1 ? "run" : "runs")} with cases")));
        return audit ? PrintAudit(store) : PrintCases(page);
    }

    private int PrintCases(CasePage page)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in new[] { "case", "card", "alerts", "amount", "top score", "last alert", "assignee", "status" })
        {
            table.AddColumn(new TableColumn(header));
        }

        foreach (var x in page.Cases)
        {
            table.AddRow(
                x.Id.ToString(c), Markup.Escape(x.Card), x.Alerts.ToString("N0", c), x.Amount.ToString("N2", c), x.Priority.ToString("F3", c),
                DateTimeOffset.FromUnixTimeMilliseconds(x.LastAlertAtMs).ToString("yyyy-MM-dd HH:mm", c), Markup.Escape(x.Assignee ?? "–"),
                x.Status == CaseStatus.Open ? "open" : Markup.Escape($"{CaseStore.Text(x.Status)} by {x.DecidedBy}{(x.Note is null ? string.Empty : $": {x.Note}")}"));
        }

        console.Write(table);
        if (page.Matching > page.Cases.Count)
        {
            console.MarkupLine(Markup.Escape(string.Create(c, $"the {page.Cases.Count:N0} riskiest of {page.Matching:N0} shown; --status narrows them")));
        }

        return 0;
    }

    private int PrintAudit(CaseStore store)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in new[] { "when (UTC)", "who", "what", "on", "before → after", "note" })
        {
            table.AddColumn(new TableColumn(header));
        }

        // The trail's subjects are cases and models ("case 12", "model 3"): shown whole.
        foreach (var entry in store.AuditTrail(limit: MaxShown).Reverse())
        {
            table.AddRow(
                entry.At.ToString("yyyy-MM-dd HH:mm:ss", c), Markup.Escape(entry.Actor), Markup.Escape(entry.Action), Markup.Escape(entry.Subject),
                Markup.Escape($"{entry.Before ?? "–"} → {entry.After ?? "–"}"), Markup.Escape(entry.Note ?? string.Empty));
        }

        console.Write(table);
        return 0;
    }
}
