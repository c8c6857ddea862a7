using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace Vigil.Cli.Commands;

/// <summary>The <c>vigil</c> command line: parses, reports usage errors in one line (exit 2) and runs the command.</summary>
public static class VigilCommand
{
    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // A plain command rather than RootCommand, which would take its name from the assembly (Vigil.Cli).
        var help = new HelpOption { Action = new VigilHelp() };
        var root = new Command("vigil", "Vigil: real-time transaction fraud detection. Run 'vigil demo' to see it work.")
        {
            help,
            new VersionOption { Action = new VigilVersion() },
            DemoCommand.Create(context),
            ReplayCommand.Create(context),
            FeaturesCommand.Create(context),
            ModelCommands.Train(context),
            ModelCommands.Evaluate(context),
            ModelCommands.Serve(context),
            ModelCommands.Export(context),
            ModelCommands.List(context),
            ModelCommands.Cases(context),
            RulesCommands.Create(context),
            KeysCommands.Create(context),
            ProbeCommand.Create(context),
            KafkaCommands.Generate(context),
            KafkaCommands.Detect(context),
            KafkaCommands.Alert(context),
            KafkaCommands.Dashboard(context),
            KafkaCommands.Kafka(context),
        };

        if (args.Length == 0)
        {
            await context.Error.WriteLineAsync("vigil: no command given; try 'vigil demo', or 'vigil --help' for the list");
            return ExitCodes.Usage;
        }

        var parsed = root.Parse(args);

        // Asking a command for its help needs none of its arguments: 'vigil rules check --help' shows the help.
        if (parsed.Errors.Count > 0 && (parsed.GetResult(help) is null || parsed.UnmatchedTokens.Count > 0))
        {
            // "Unrecognized command 'dmeo'" says more than the "Required command was not provided" that comes with it.
            var error = parsed.Errors.OrderBy(e => e.Message.StartsWith("Required command", StringComparison.Ordinal) ? 1 : 0).First();
            var command = Path(parsed.CommandResult);
            var suggestion = parsed.UnmatchedTokens.Count > 0 && Closest(parsed.UnmatchedTokens[0], parsed.CommandResult.Command) is { } closest
                ? $"; did you mean {closest}?" : string.Empty;
            await context.Error.WriteLineAsync($"vigil: {error.Message.TrimEnd('.')}{suggestion} (see '{command} --help')");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parsed.InvokeAsync(invocation, context.Stop);
        }
#pragma warning disable CA1031 // The edge of the program: any failure becomes one line and an exit code.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await context.Error.WriteLineAsync($"vigil: error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>A command's whole name, from <c>vigil</c> down: <c>vigil rules check</c>.</summary>
    private static string Path(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? at = result; at is not null; at = at.Parent)
        {
            if (at is CommandResult command)
            {
                names.Add(command.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>The option or subcommand of <paramref name="command"/> nearest a mistyped token (two edits at most, or a third of its length); null for none.</summary>
    public static string? Closest(string token, Command command)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(command);
        var names = command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            .Concat(command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        var (best, distance) = names.Select(n => (n, EditDistance(token, n))).OrderBy(p => p.Item2).FirstOrDefault();
        return best is not null && distance <= Math.Max(2, token.Length / 3) && distance > 0 ? best : null;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
