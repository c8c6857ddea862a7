using Microsoft.Extensions.Logging;

namespace Vigil.Cli.Logging;

/// <summary>Hands a web server's categories to the command's logger factory, so that its lines take the command's format and levels.</summary>
public sealed class ForwardingLogProvider(ILoggerFactory logs) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => logs.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}
