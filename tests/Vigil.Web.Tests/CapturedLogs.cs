using Microsoft.Extensions.Logging;

namespace Vigil.Web.Tests;

/// <summary>A log provider that keeps what a web host logs at Error or above, for tests to read.</summary>
public sealed class CapturedLogs : ILoggerProvider, ILogger
{
    private readonly List<string> _failures = [];

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_failures)
        {
            _failures.Add($"{logLevel}: {formatter(state, exception)} {exception}");
        }
    }

    public void Dispose()
    {
    }
}
