using System.Text.Json.Nodes;
using Spectre.Console;
using Vigil.Cli.Models;
using Vigil.Cli.Terminal;
using Vigil.Quality;
using Vigil.Runtime.Metrics;

namespace Vigil.Cli.Tests.Terminal;

public sealed class StatusViewTests
{
    private static PipelineStatus Status(QualitySnapshot? quality = null) =>
        new(TimeSpan.FromSeconds(5), 100, 90, 10, 0, 0, 1_000, 2_000, 3_000) { Quality = quality };

    private static QualitySnapshot NoLabels => new(default, 100, 10, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, []);

    [Fact]
    public async Task While_the_live_table_shows_client_lines_go_under_it_and_stay_readable_after()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(output) });
        var view = new StatusView(console, live: true, TimeSpan.FromSeconds(5));
        var elsewhere = new List<string>();
        var log = view.Log(elsewhere.Add);
        var running = Task.Delay(700);

        var showing = view.ShowUntilAsync(running, () => Status());
        await Task.Delay(300);
        log("kafka warning: broker down");
        await showing;
        log("kafka warning: after the table");

        Assert.Equal(["kafka warning: after the table"], elsewhere);
        Assert.Contains("kafka warning: broker down", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_labels_the_quality_reads_once_as_quality()
    {
        Assert.Equal("no labels yet (100 decisions await theirs)", StatusView.QualityLine(NoLabels));
        Assert.EndsWith("· quality: no labels yet (100 decisions await theirs)", StatusView.Line(Status(NoLabels), 20), StringComparison.Ordinal);
    }

    [Fact]
    public void What_training_reports_is_printed_for_people()
    {
        var result = new JsonObject { ["trees_kept"] = 84, ["converged"] = true, ["learning_rate"] = 0.05, ["stopped_by"] = "early stopping" };

        Assert.Equal("trees kept: 84 · converged: yes · learning rate: 0.05 · stopped by: early stopping", TrainRunner.Describe(result));
        Assert.Equal("nothing reported", TrainRunner.Describe(null));
    }
}
