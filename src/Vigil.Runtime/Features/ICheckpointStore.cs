namespace Vigil.Runtime.Features;

/// <summary>Where a feature stage keeps its checkpoint: a file by default, a Kafka topic for a service another machine may take over.</summary>
public interface ICheckpointStore
{
    /// <summary>Where the checkpoint is kept, for messages: a file's path, a topic and a task.</summary>
    string Description { get; }

    /// <summary>The latest whole checkpoint, or null when there is none.</summary>
    byte[]? Load();

    /// <summary>Keeps a new checkpoint and returns once it is durable; until then the previous one stays the latest.</summary>
    Task SaveAsync(byte[] checkpoint, CancellationToken cancellationToken);
}

/// <summary>A checkpoint in a file, written aside and renamed over the previous one, so that a kill at any moment leaves a whole one.</summary>
public sealed class FileCheckpointStore(string path) : ICheckpointStore
{
    public string Description => path;

    public byte[]? Load() => File.Exists(path) ? File.ReadAllBytes(path) : null;

    public async Task SaveAsync(byte[] checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var temporary = path + ".tmp";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            await stream.WriteAsync(checkpoint, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
