using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Vigil.Cli.Terminal;

/// <summary>Progress of long work on files: a bar on a terminal, else a line every few seconds (for logs and CI).</summary>
public static class ProgressDisplay
{
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(5);

    /// <summary>Shows progress until <paramref name="work"/> completes; <paramref name="done"/> gives the share done (0 to 1), <paramref name="describe"/> a few words.</summary>
    public static async Task ShowAsync(IAnsiConsole console, bool live, Task work, Func<double> done, Func<string> describe)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        if (live)
        {
            await console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(describe(), maxValue: 1);
                    while (!work.IsCompleted)
                    {
                        await Task.WhenAny(work, Task.Delay(100));
                        task.Value = done();
                        task.Description = describe();
                    }
                });
            return;
        }

        var clock = Stopwatch.StartNew();
        var next = LineInterval;
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(250));
            if (clock.Elapsed >= next && !work.IsCompleted)
            {
                next += LineInterval;
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed:hh\\:mm\\:ss}] {done():P0} · {describe()}"));
            }
        }
    }
}
