using System.Diagnostics;

namespace Vigil.Testing;

/// <summary>
/// Runs a third-party program the tests talk to (kcat, Debian's python3 with its Kafka, Avro and ONNX libraries) to its
/// end, bounded in time: a program that hangs is killed and the test fails saying so.
/// </summary>
public static class ExternalProgram
{
    public const string Python = "/usr/bin/python3";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The program's exit code and what it printed; a missing program fails the test naming the Debian package.</summary>
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(
        string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? package = null, TimeSpan? timeout = null)
    {
        Assert.True(File.Exists(program), $"{program} is missing: install the Debian package {package ?? Path.GetFileName(program)} (./test.sh does, as root)");
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? DefaultTimeout;
        try
        {
            await process.WaitForExitAsync().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish in {limit.TotalSeconds:N0} s");
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>Runs a Python script (written to a temporary file) with Debian's python3; its standard output when it exits 0.</summary>
    /// <param name="packages">The Debian packages the script imports, for the message when it fails.</param>
    public static async Task<string> PythonAsync(string script, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string packages = "python3")
    {
        var path = Path.Combine(Path.GetTempPath(), $"vigil-test-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(path, script);
        try
        {
            var (exitCode, output, error) = await RunAsync(Python, [path, .. args], environment, "python3");
            Assert.True(exitCode == 0, $"the script failed ({packages} needed; ./test.sh installs them as root): {error}");
            return output;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
