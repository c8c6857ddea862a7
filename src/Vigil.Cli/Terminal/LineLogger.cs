using Microsoft.Extensions.Logging;

namespace Vigil.Cli.Terminal;

/// <summary>A logger that writes each entry as one line where the terminal shows the run's messages (under the live status while it shows).</summary>
public sealed class LineLogger(Action<string> write, LogLevel minimum = LogLevel.Information) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            var line = formatter(state, exception);
            write(exception is null ? line : $"{line}: {exception.Message}");
        }
    }
}
