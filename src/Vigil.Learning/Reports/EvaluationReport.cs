using System.Globalization;
using System.Net;
using System.Text;
using Vigil.Learning.Evaluation;

namespace Vigil.Learning.Reports;

/// <summary>Human-readable reports of an evaluation: a table of every split and the ROC and precision-recall curves.</summary>
public static class EvaluationReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string RocSvg(EvaluationResult result) =>
        SvgChart.Render("ROC curve", "false positive rate", "true positive rate",
            [.. result.Splits.Select(s => (Legend(s, s.Metrics.AucRoc, "AUC"), s.Roc))], diagonal: true);

    public static string PrecisionRecallSvg(EvaluationResult result) =>
        SvgChart.Render("Precision-recall curve", "recall", "precision",
            [.. result.Splits.Select(s => (Legend(s, s.Metrics.AveragePrecision, "AP"), s.PrecisionRecall))], diagonal: false);

    /// <summary>One HTML page with the table and both curves inline.</summary>
    public static string Html(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Vigil evaluation</title>");
        html.Append("<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}</style></head><body>");
        html.Append(C, $"<h1>Vigil evaluation</h1><p>Model: {E(result.Model)}<br>Data: {E(result.Data)}<br>Protocol: {E(result.Protocol)}</p>");
        HtmlTable(html, Headers, Rows(result));
        if (ScenarioHeaders(result) is { Count: > 0 } scenarioHeaders)
        {
            html.Append("<h2>By fraud scenario</h2>");
            HtmlTable(html, scenarioHeaders, ScenarioRows(result));
            html.Append(C, $"<p>{E(ScenarioNote)}</p>");
        }

        html.Append("<p>AUC ROC and average precision are over each split's test transactions; Card Precision@100 is the daily ")
            .Append("share of compromised cards among the 100 riskiest, averaged over the test days (Fraud Detection Handbook).</p>");
        html.Append(RocSvg(result)).Append(PrecisionRecallSvg(result)).Append("</body></html>\n");
        return html.ToString();
    }

    /// <summary>A Markdown page whose images are the two SVG files written beside it.</summary>
    public static string Markdown(EvaluationResult result, string rocFile, string precisionRecallFile)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.Append(C, $"# Vigil evaluation\n\n- Model: {result.Model}\n- Data: {result.Data}\n- Protocol: {result.Protocol}\n\n");
        MarkdownTable(md, Headers, Rows(result));
        if (ScenarioHeaders(result) is { Count: > 0 } scenarioHeaders)
        {
            md.Append("\n## By fraud scenario\n\n");
            MarkdownTable(md, scenarioHeaders, ScenarioRows(result));
            md.Append('\n').Append(ScenarioNote).Append('\n');
        }

        md.Append(C, $"\n![ROC curve]({rocFile})\n\n![Precision-recall curve]({precisionRecallFile})\n");
        return md.ToString();
    }

    private static void HtmlTable(StringBuilder html, IEnumerable<string> headers, IEnumerable<string[]> rows)
    {
        html.Append("<table><tr>");
        foreach (var header in headers)
        {
            html.Append(C, $"<th>{E(header)}</th>");
        }

        html.Append("</tr>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append(C, $"<td>{E(cell)}</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</table>");
    }

    private static void MarkdownTable(StringBuilder md, IReadOnlyList<string> headers, IEnumerable<string[]> rows)
    {
        md.Append("| ").AppendJoin(" | ", headers).Append(" |\n|").AppendJoin("|", headers.Select(_ => "---")).Append("|\n");
        foreach (var row in rows)
        {
            md.Append("| ").AppendJoin(" | ", row).Append(" |\n");
        }
    }

    public static readonly IReadOnlyList<string> Headers =
        ["split", "train rows (frauds)", "test rows (frauds)", "AUC ROC", "AP", "CP@100", "threshold", "precision", "recall", "F1"];

    /// <summary>The table's rows: every split, then the prequential mean when there are folds.</summary>
    public static IEnumerable<string[]> Rows(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var s in result.Splits)
        {
            yield return [s.Split.Name, $"{s.TrainRows.ToString("N0", C)} ({s.TrainFrauds.ToString("N0", C)})",
                $"{s.TestRows.ToString("N0", C)} ({s.TestFrauds.ToString("N0", C)})", .. Measures(s.Metrics)];
        }

        if (result.Prequential is { } mean)
        {
            yield return ["prequential mean", "", "", .. Measures(mean)];
        }
    }

    public const string ScenarioNote =
        "Each scenario's AUC ROC ranks its frauds against every legitimate test row; recall is the share of them at or above the threshold.";

    /// <summary>The per-scenario table's headers: the split, then frauds, AUC ROC and recall of each scenario; empty when the data has none.</summary>
    public static IReadOnlyList<string> ScenarioHeaders(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var scenarios = Scenarios(result);
        return scenarios.Count == 0 ? [] : ["split", .. scenarios.SelectMany(s => new[] { $"scenario {s.Name}: frauds", "AUC ROC", "recall" })];
    }

    /// <summary>The per-scenario table's rows: every split, then the prequential mean when there are folds.</summary>
    public static IEnumerable<string[]> ScenarioRows(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var scenarios = Scenarios(result);
        if (scenarios.Count == 0)
        {
            yield break;
        }

        foreach (var s in result.Splits)
        {
            yield return [s.Split.Name, .. ScenarioCells(scenarios, s.Scenarios)];
        }

        if (result.Prequential is not null)
        {
            yield return ["prequential mean", .. ScenarioCells(scenarios, result.PrequentialScenarios)];
        }
    }

    private static List<(int Scenario, bool FirstWeek, string Name)> Scenarios(EvaluationResult result) =>
        [.. result.Splits.SelectMany(s => s.Scenarios).Select(r => (r.Scenario, r.FirstWeek, r.Name)).Distinct().Order()];

    private static IEnumerable<string> ScenarioCells(List<(int Scenario, bool FirstWeek, string Name)> scenarios, IReadOnlyList<ScenarioResult> results) =>
        scenarios.SelectMany(k => results.FirstOrDefault(r => r.Scenario == k.Scenario && r.FirstWeek == k.FirstWeek) is { } r
            ? new[] { r.Frauds.ToString("N0", C), F(r.AucRoc), F(r.Recall) }
            : ["0", "n/a", "n/a"]);

    private static string[] Measures(ClassificationMetrics m) =>
        [F(m.AucRoc), F(m.AveragePrecision), F(m.CardPrecisionAt100), m.Threshold.ToString("G4", C), F(m.Precision), F(m.Recall), F(m.F1)];

    private static string F(double value) => double.IsFinite(value) ? value.ToString("F3", C) : "n/a";

    private static string Legend(SplitResult split, double value, string measure) => $"{split.Split.Name} ({measure} {F(value)})";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
