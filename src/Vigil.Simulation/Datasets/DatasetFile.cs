using System.IO.Compression;

namespace Vigil.Simulation.Datasets;

/// <summary>Opens dataset files for reading and writing; a name ending in <c>.gz</c> is gzip-compressed.</summary>
public static class DatasetFile
{
    private const int BufferBytes = 1 << 20;

    public static bool IsGzip(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    public static Stream OpenRead(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes);
        return IsGzip(path) ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), BufferBytes) : file;
    }

    public static Stream Create(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, BufferBytes);
        return IsGzip(path) ? new GZipStream(file, CompressionLevel.Fastest) : file;
    }
}
