namespace Vigil.Cli.Tests.Packaging;

/// <summary>The checkout the tests run from: where Vigil.sln is, above the test assembly.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Vigil.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"no Vigil.sln above {AppContext.BaseDirectory}");
    }
}
