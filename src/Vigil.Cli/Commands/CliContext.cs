using System.Collections;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Vigil.Cli.Logging;

namespace Vigil.Cli.Commands;

/// <summary>What a command may touch of the outside world; tests pass their own.</summary>
/// <param name="Live">Whether the console is an interactive terminal (live status) or a log (status lines).</param>
/// <param name="Stop">Cancelled when the user asks the process to stop (Ctrl+C, SIGTERM).</param>
public sealed record CliContext(IDictionary Environment, IAnsiConsole Console, TextWriter Out, TextWriter Error, bool Live, CancellationToken Stop)
{
    /// <summary>Loggers that write to the error stream, one line an entry (<see cref="ReportLine"/>), as <paramref name="settings"/> say.</summary>
    public ILoggerFactory Logs(LogSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Factory(ReportLine);
    }

    /// <summary>Reports a line from a client library (librdkafka's warnings) on the error stream.</summary>
    public void ReportLine(string line)
    {
        lock (Error)
        {
            Error.WriteLine(line);
        }
    }
}
