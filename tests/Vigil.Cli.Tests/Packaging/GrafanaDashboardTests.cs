using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vigil.Cli.Tests.Packaging;

/// <summary>
/// deploy/grafana/vigil-dashboard.json cannot be loaded into a Grafana here, so its queries are checked against what
/// Vigil exports: every metric it asks for is one a service registers, and every query is well formed.
/// </summary>
public sealed partial class GrafanaDashboardTests
{
    private static readonly string DashboardPath = Path.Combine(Repository.Root, "deploy", "grafana", "vigil-dashboard.json");

    [Fact]
    public void Every_panel_asks_for_metrics_vigil_exports_with_well_formed_queries()
    {
        var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath)).RootElement;
        var exported = Exported();
        var panels = dashboard.GetProperty("panels").EnumerateArray().ToList();

        Assert.True(panels.Count >= 12, $"{panels.Count} panels");
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var panel in panels)
        {
            var title = panel.GetProperty("title").GetString();
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.True(targets.Count > 0, $"{title} has no query");
            foreach (var expr in targets.Select(t => t.GetProperty("expr").GetString()!))
            {
                Assert.True(Balanced(expr), $"{title}: {expr} is not balanced");
                Assert.Contains("job=~\"$job\"", expr, StringComparison.Ordinal);
                foreach (var name in Metric().Matches(expr).Select(m => m.Value))
                {
                    var family = Regex.Replace(name, "_(bucket|sum|count)$", string.Empty);
                    Assert.True(exported.Contains(family), $"{title}: {name} is not a metric Vigil exports");
                }
            }
        }
    }

    [Fact]
    public void The_names_it_checks_against_are_those_a_scrape_shows()
    {
        var exported = Exported();

        // Spot checks against the families the metrics tests scrape from running services.
        Assert.Contains("vigil_decisions_total", exported);
        Assert.Contains("vigil_decision_latency_seconds", exported);
        Assert.Contains("vigil_alerts_delivered_total", exported);
        Assert.Contains("vigil_feature_tasks", exported);
        Assert.DoesNotContain("vigil_decisions", exported);
    }

    /// <summary>The metric families Vigil's source registers: the names given to ServiceMetrics, and the process's.</summary>
    private static HashSet<string> Exported() =>
    [
        .. Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => Registered().Matches(File.ReadAllText(file)).Select(m => m.Groups["name"].Value)),
    ];

    private static bool Balanced(string expr)
    {
        var open = new Stack<char>();
        foreach (var c in expr)
        {
            if (c is '(' or '{' or '[')
            {
                open.Push(c);
            }
            else if (c is ')' or '}' or ']' && (open.Count == 0 || open.Pop() != c switch { ')' => '(', '}' => '{', _ => '[' }))
            {
                return false;
            }
        }

        return open.Count == 0;
    }

    [GeneratedRegex(@"\b(vigil|process|dotnet)_[a-z_]+\b")]
    private static partial Regex Metric();

    [GeneratedRegex(@"\b(Counter|Gauge|Histogram|CreateGauge)\(\s*""(?<name>[a-z_]+)""")]
    private static partial Regex Registered();
}
