using System.Collections;
using Spectre.Console;
using Vigil.Cli.Commands;

namespace Vigil.Cli.Tests.Commands;

/// <summary>Runs the vigil command line in this process with a given environment, capturing what it prints.</summary>
internal static class CliRunner
{
    /// <summary>Where the commands keep what they learn (models), unless a test says otherwise: not the tests' folder.</summary>
    public static readonly string DataDirectory = Path.Combine(Path.GetTempPath(), $"vigil-cli-tests-{Environment.ProcessId}");

    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(
        string[] args, IDictionary? environment = null, CancellationToken stop = default)
    {
        var variables = environment is null ? new Hashtable() : new Hashtable(environment);
        if (!variables.ContainsKey("VIGIL_DATA__DIRECTORY"))
        {
            variables["VIGIL_DATA__DIRECTORY"] = DataDirectory;
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 240;
        var context = new CliContext(variables, console, output, error, Live: false, stop);
        var exitCode = await VigilCommand.RunAsync(args, context).WaitAsync(TimeSpan.FromSeconds(120), CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }
}
