using System.Globalization;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Models;
using Vigil.Cli.Sources;
using Vigil.Cli.Terminal;
using Vigil.Features;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Runtime.Rules;
using Vigil.Simulation.Datasets;
using Vigil.Simulation.Datasets.Replay;
using Vigil.Transactions;

namespace Vigil.Cli.Rules;

/// <summary>
/// <c>vigil rules check RULES.yaml [--data FILE]</c>: compiles the file as the pipeline would, lists its rules, and with
/// a dataset shows what each rule would do there: hits, the share of fraud among them, and the frauds it catches.
/// </summary>
public sealed class RulesCheckRunner(VigilSettings settings, LayeredConfiguration configuration, IAnsiConsole console, bool live)
{
    public async Task<int> RunAsync(CancellationToken stop)
    {
        var path = settings.Detector.Rules ?? throw new UsageException("vigil rules check needs the rules file: vigil rules check RULES.yaml");
        using var source = settings.Replay.Path is null ? null : RunSource.OpenDataset(settings, string.Empty);
        var features = source is null ? settings.Features.Set : ModelData.DatasetFeatures(settings, configuration, source);
        RulesDocument document;
        try
        {
            document = RulesDocument.Load(path, features);
        }
        catch (RulesFileException e)
        {
            throw new UsageException($"invalid rules: {e.Message}");
        }

        var enabled = document.Definitions.Count(d => d.Enabled);
        console.MarkupLine(Markup.Escape($"{path}: valid · version {document.RuleSet.Version} · {document.Definitions.Count} rules ({enabled} enabled) · features: {features.Name}"));
        foreach (var (name, items) in document.Lists)
        {
            console.MarkupLine(Markup.Escape($"list {name}: {items.Count:N0} entries"));
        }

        if (source is null)
        {
            PrintRules(document, null);
            console.MarkupLine("[grey]give --data FILE (a labelled dataset, e.g. from vigil generate --out FILE) to see what each rule would do on it[/]");
            return 0;
        }

        var counts = new RuleCounts(document.Definitions.Count);
        var all = RuleSet.Compile(document.RuleSet.Version, document.Definitions.Select(d => d with { Enabled = true }), new RuleCatalog(features, document.Lists));
        var dataset = new FeatureDataset(source, features, settings.LabelDelay);
        var reading = Task.Run(() => Count(dataset, all, features, document, counts, stop), CancellationToken.None);
        await ProgressDisplay.ShowAsync(console, live, reading, () => source.Rows == 0 ? 1 : (double)dataset.Rows / source.Rows,
            () => string.Create(CultureInfo.InvariantCulture, $"{dataset.Rows:N0} rows checked"));
        await reading;
        PrintRules(document, counts);
        var labelled = source.HasLabels;
        console.MarkupLine(Markup.Escape($"{Path.GetFileName(source.Path)}: {counts.Rows:N0} transactions" + (labelled ? $", {counts.Frauds:N0} frauds" : ", no labels")));
        console.MarkupLine(Markup.Escape($"enabled rules together: {counts.Flagged:N0} flagged ({Share(counts.Flagged, counts.Rows)})"
            + (labelled ? $", of which {counts.FlaggedFrauds:N0} fraud (precision {Share(counts.FlaggedFrauds, counts.Flagged)}, recall {Share(counts.FlaggedFrauds, counts.Frauds)})" : string.Empty)
            + $" · {counts.Reviewed:N0} to review · {counts.Allowed:N0} allowed"));
        return 0;
    }

    private static void Count(FeatureDataset dataset, RuleSet all, FeatureSet features, RulesDocument document, RuleCounts counts, CancellationToken stop)
    {
        var inputs = new ModelInputs(all.Inputs, features);
        var row = new double[all.Inputs.Count];
        var rules = all.Rules;
        dataset.ForEach((transaction, values, label) =>
        {
            inputs.Fill(transaction, values, row);
            counts.Add(transaction, row, rules, document.Definitions, label?.IsFraud == true);
        }, stop);
        stop.ThrowIfCancellationRequested();
    }

    private void PrintRules(RulesDocument document, RuleCounts? counts)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("rule", "action", "score", "expression");
        if (counts is not null)
        {
            table.AddColumns(new TableColumn("hits").RightAligned(), new TableColumn("of all").RightAligned(),
                new TableColumn("fraud among hits").RightAligned(), new TableColumn("frauds caught").RightAligned());
        }

        for (var i = 0; i < document.Definitions.Count; i++)
        {
            var rule = document.Definitions[i];
            var cells = new List<string>
            {
                Markup.Escape(rule.Name) + (rule.Enabled ? string.Empty : " [grey](disabled)[/]"),
                rule.Action.Name(),
                rule.Score.ToString("0.##", CultureInfo.InvariantCulture),
                Markup.Escape(rule.Expression.ReplaceLineEndings(" ")),
            };
            if (counts is not null)
            {
                var labelled = counts.Frauds > 0;
                cells.Add(counts.Hits[i].ToString("N0", CultureInfo.InvariantCulture));
                cells.Add(Share(counts.Hits[i], counts.Rows));
                cells.Add(labelled ? Share(counts.FraudHits[i], counts.Hits[i]) : "–");
                cells.Add(labelled ? Share(counts.FraudHits[i], counts.Frauds) : "–");
            }

            table.AddRow(cells.ToArray());
        }

        console.Write(table);
    }

    private static string Share(long part, long whole) => whole == 0 ? "–" : ((double)part / whole).ToString("0.0 %", CultureInfo.InvariantCulture);

    /// <summary>What each rule, and the enabled rules together, did over the dataset.</summary>
    private sealed class RuleCounts(int rules)
    {
        public long[] Hits { get; } = new long[rules];

        public long[] FraudHits { get; } = new long[rules];

        public long Rows { get; private set; }

        public long Frauds { get; private set; }

        public long Flagged { get; private set; }

        public long FlaggedFrauds { get; private set; }

        public long Reviewed { get; private set; }

        public long Allowed { get; private set; }

        public void Add(Transaction transaction, double[] row, IReadOnlyList<Vigil.Rules.Rule> compiled, IReadOnlyList<RuleDefinition> definitions, bool fraud)
        {
            Rows++;
            Frauds += fraud ? 1 : 0;
            bool flag = false, review = false, allow = false;
            for (var i = 0; i < compiled.Count; i++)
            {
                if (!compiled[i].Condition(transaction, row))
                {
                    continue;
                }

                Hits[i]++;
                FraudHits[i] += fraud ? 1 : 0;
                if (definitions[i].Enabled)
                {
                    flag |= compiled[i].Action == RuleAction.Flag;
                    review |= compiled[i].Action == RuleAction.Review;
                    allow |= compiled[i].Action == RuleAction.Allow;
                }
            }

            if (allow)
            {
                Allowed++;
            }
            else if (flag)
            {
                Flagged++;
                FlaggedFrauds += fraud ? 1 : 0;
            }
            else if (review)
            {
                Reviewed++;
            }
        }
    }
}
