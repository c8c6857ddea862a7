namespace Vigil.Cli.Tests.Commands;

/// <summary>A directory of its own for one test, deleted after it, where the test writes its input files.</summary>
public abstract class TempDirectoryTest : IDisposable
{
    protected TempDirectoryTest(string prefix) => Directory = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;

    protected string Directory { get; }

    public void Dispose()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="name"/> in the directory and returns its path.</summary>
    protected string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
