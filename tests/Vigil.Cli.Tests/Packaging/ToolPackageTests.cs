using System.Diagnostics;
using Vigil.Cli.Tests.Commands;

namespace Vigil.Cli.Tests.Packaging;

/// <summary>The vigil command as .NET users install it: packed as a tool, installed to a tool path, run.</summary>
public sealed class ToolPackageTests() : TempDirectoryTest("vigil-tool-")
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Dotnet_tool_install_from_the_packed_nupkg_gives_a_vigil_command_with_its_bundled_librdkafka()
    {
        var root = Repository.Root;
        var packages = Path.Combine(Directory, "nupkg");
        var tools = Path.Combine(Directory, "tools");

        // The test run built the command in this test's configuration, so packing needs no build of its own.
        var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var (packed, packOutput) = await DotnetAsync(root, "pack", Path.Combine(root, "src", "Vigil.Cli", "Vigil.Cli.csproj"), "-c", configuration, "--no-build", "-o", packages, "--nologo");
        Assert.True(packed == 0, packOutput);
        var package = Assert.Single(System.IO.Directory.GetFiles(packages, "Vigil.Cli.*.nupkg"));

        var (installed, installOutput) = await DotnetAsync(root, "tool", "install", "Vigil.Cli", "--tool-path", tools, "--add-source", packages, "--version", VersionOf(package));
        Assert.True(installed == 0, installOutput);
        Assert.Contains("vigil", installOutput, StringComparison.Ordinal);

        var (ran, version) = await RunAsync(Path.Combine(tools, "vigil"), Directory, "--version");
        Assert.True(ran == 0, version);
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
        Assert.Contains("librdkafka 2.16.0 (bundled", version, StringComparison.Ordinal);
    }

    private static string VersionOf(string package)
    {
        var name = Path.GetFileNameWithoutExtension(package); // Vigil.Cli.0.1.0
        return name["Vigil.Cli.".Length..];
    }

    private static Task<(int ExitCode, string Output)> DotnetAsync(string workingDirectory, params string[] args) => RunAsync("dotnet", workingDirectory, args);

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not end within {Timeout.TotalMinutes} minutes");
        }

        return (process.ExitCode, await output + await error);
    }
}
