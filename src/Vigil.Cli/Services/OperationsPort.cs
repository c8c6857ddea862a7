using Microsoft.Extensions.Logging;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Logging;
using Vigil.Web.Metrics;
using Vigil.Web.Operations;
using Vigil.Web.Security;

namespace Vigil.Cli.Services;

/// <summary>
/// The operations port of a Kafka service without a web server of its own (<c>--metrics-port</c>, <c>--metrics-host</c>):
/// <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>, started or explained in one line.
/// </summary>
public static class OperationsPort
{
    /// <summary>Reads <c>--metrics-host</c> and <c>--metrics-port</c>: null when no port is given.</summary>
    public static (string Host, int Port)? Read(LayeredConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        return configuration["Operations:Port"] is null ? null : (read.Text("Operations:Host", "127.0.0.1"), read.WholeNumber("Operations:Port", 0, 0, 65535));
    }

    /// <returns>The running server; none without a port; <c>Failed</c> when the port is taken (said on the console).</returns>
    /// <exception cref="UsageException">The host is not an address, or not loopback with no key and not insecure.</exception>
    public static async Task<(OperationsServer? Server, bool Failed)> StartAsync(
        (string Host, int Port)? at, Func<Readiness> readiness, WebSecurity security, ServiceMetrics metrics, ILoggerFactory logs, IAnsiConsole console, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(security);
        ArgumentNullException.ThrowIfNull(console);
        if (at is not { } port)
        {
            return (null, false);
        }

        OperationsServer server;
        try
        {
            server = new OperationsServer(port.Host, port.Port, readiness, security, new ForwardingLogProvider(logs), metrics);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--metrics-host {port.Host}: {e.Message}");
        }

        try
        {
            await server.StartAsync(stopping);
        }
        catch (IOException e)
        {
            await server.DisposeAsync();
            console.MarkupLine($"[red]vigil: cannot serve the operations port on {Markup.Escape(port.Host)}:{port.Port}: {Markup.Escape(e.Message)} (choose another --metrics-port)[/]");
            return (null, true);
        }

        console.MarkupLine(Markup.Escape($"operations: {server.Address} · GET /healthz, /readyz, /metrics · {security.Describe()}"));
        return (server, false);
    }
}
