using Microsoft.Extensions.Logging;

namespace Vigil.Testing;

/// <summary>A logger that adds each entry, as its message reads, to a list the test asserts on (locked while adding: clients log from their own threads).</summary>
public sealed class ListLogger(List<string> lines) : ILogger
{
    public ListLogger()
        : this([])
    {
    }

    public List<string> Lines => lines;

    /// <summary>Whether each line starts with the time it was logged (<c>HH:mm:ss.fff</c>), for tests that print the log.</summary>
    public bool Stamped { get; init; }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (lines)
        {
            var line = formatter(state, exception);
            lines.Add(Stamped ? $"{DateTime.UtcNow:HH:mm:ss.fff} {line}" : line);
        }
    }
}
