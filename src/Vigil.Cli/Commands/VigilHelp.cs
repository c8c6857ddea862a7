using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Vigil.Cli.Commands;

/// <summary>
/// <c>--help</c>: a command with subcommands lists them one line each (as git, kubectl and dotnet do), the details
/// being in each one's own help, which ends with examples. Piped, the text keeps to 100 columns.
/// </summary>
public sealed class VigilHelp : SynchronousCommandLineAction
{
    private const int PipedWidth = 100;

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var command = parseResult.CommandResult.Command;
        var output = parseResult.InvocationConfiguration.Output;
        var width = Console.IsOutputRedirected || output != Console.Out ? PipedWidth : Math.Max(60, Console.WindowWidth);
        if (command.Subcommands.Count > 0)
        {
            WriteCommandList(command, Path(command), output);
            return 0;
        }

        var description = command.Description;
        command.Description = description is null ? null : Reflow(description);
        try
        {
            new HelpAction { MaxWidth = width }.Invoke(parseResult);
        }
        finally
        {
            command.Description = description;
        }

        if (CommandHelp.ExamplesFor(Path(command)) is { Count: > 0 } examples)
        {
            output.WriteLine("Examples:");
            var column = examples.Max(e => e.Line.Length) + 4;
            foreach (var (line, meaning) in examples)
            {
                output.WriteLine(column + meaning.Length <= width ? $"  {line.PadRight(column)}{meaning}" : $"  {line}\n      {meaning}");
            }

            output.WriteLine();
        }

        return 0;
    }

    /// <summary>The first sentence of a description: what the command does, in one line.</summary>
    public static string Summary(string? description)
    {
        var text = (description ?? string.Empty).ReplaceLineEndings(" ").Trim();
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? text.TrimEnd('.') : text[..end];
    }

    /// <summary>The command's words after <c>vigil</c>: "demo", "kafka mock".</summary>
    private static string Path(Command command)
    {
        var words = new List<string>();
        for (Symbol? symbol = command; symbol is Command c && c.Parents.Any(); symbol = symbol.Parents.FirstOrDefault())
        {
            words.Insert(0, c.Name);
        }

        return string.Join(' ', words);
    }

    private static void WriteCommandList(Command command, string path, TextWriter output)
    {
        var name = path.Length == 0 ? "vigil" : $"vigil {path}";
        output.WriteLine(Summary(command.Description) + ".");
        output.WriteLine();
        output.WriteLine("Usage:");
        output.WriteLine($"  {name} COMMAND [options]");
        output.WriteLine();
        output.WriteLine("Commands:");
        var visible = command.Subcommands.Where(c => !c.Hidden).ToList();
        var column = visible.Max(c => c.Name.Length) + 3;
        foreach (var sub in visible)
        {
            var words = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
            output.WriteLine($"  {sub.Name.PadRight(column)}{CommandHelp.SummaryOf(words) ?? Summary(sub.Description)}");
        }

        output.WriteLine();
        output.WriteLine("Options:");
        output.WriteLine("  -h, --help    Show help: a command's options and examples with 'vigil COMMAND --help'");
        if (path.Length == 0)
        {
            output.WriteLine("  --version     Show Vigil's version");
        }

        output.WriteLine();
        output.WriteLine($"Run '{name} COMMAND --help' for a command's options and examples.");
    }

    /// <summary>
    /// A description's paragraphs each on one line, for the help to wrap at its width: the line breaks written in the
    /// source would break every line a second time. Lines that start with a space, or a list item's "- ", stay lines of
    /// their own.
    /// </summary>
    internal static string Reflow(string text)
    {
        var result = new System.Text.StringBuilder(text.Length);
        var previousFlows = false;
        foreach (var line in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var item = line.StartsWith("- ", StringComparison.Ordinal);
            var flows = line.Length > 0 && !char.IsWhiteSpace(line[0]) && !item;
            if (result.Length > 0)
            {
                result.Append(flows && previousFlows ? ' ' : '\n');
            }

            result.Append(line);
            previousFlows = flows || item;
        }

        return result.ToString();
    }
}
