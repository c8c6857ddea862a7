using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Vigil.Cli.Tests.Commands;

/// <summary>vigil as a separate process, the way users run it: started, signalled, killed, its lines awaited.</summary>
internal static partial class CliProcesses
{
    public static Process Start(string[] args, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Vigil.Cli.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    /// <summary>Sends SIGTERM (what a service manager sends) and waits for the exit code.</summary>
    public static async Task<int> SigtermAsync(Process process, TimeSpan timeout)
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        await process.WaitForExitAsync().WaitAsync(timeout);
        return process.ExitCode;
    }

    /// <summary>Reads lines until one contains <paramref name="text"/>: false if none did within the timeout.</summary>
    public static async Task<bool> WaitForLineAsync(StreamReader reader, string text, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await reader.ReadLineAsync(cancel.Token) is { } line)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }

    /// <summary>Reads a command's output until it prints its dashboard's address (started with <c>--port 0</c>): null if it did not within the timeout.</summary>
    public static async Task<Uri?> DashboardAddressAsync(Process process, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
            {
                if (DashboardAddress().Match(line) is { Success: true } match)
                {
                    return new Uri(match.Groups[1].Value);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return null;
    }

    [GeneratedRegex(@"dashboard: (http://127\.0\.0\.1:\d+/?)")]
    private static partial Regex DashboardAddress();
}
