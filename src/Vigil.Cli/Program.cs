using Spectre.Console;
using Vigil.Cli.Commands;
using Vigil.Cli.Terminal;

// On a terminal: colours and a live status table. Redirected to a file or a CI log: plain lines, no wrapping.
var redirected = Console.IsOutputRedirected;
var console = AnsiConsole.Create(new AnsiConsoleSettings
{
    Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
    Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
});
if (redirected)
{
    console.Profile.Width = 240;
}

var live = !redirected && console.Profile.Capabilities.Interactive;
using var signals = new ShutdownSignals(() => { });
try
{
    var context = new CliContext(Environment.GetEnvironmentVariables(), console, Console.Out, Console.Error, live, signals.Stop);
    return await VigilCommand.RunAsync(args, context);
}
#pragma warning disable CA1031 // The edge of the program: any failure becomes one line and an exit code.
catch (Exception e)
#pragma warning restore CA1031
{
    await Console.Error.WriteLineAsync($"vigil: error: {e.Message}");
    return ExitCodes.Failure;
}
