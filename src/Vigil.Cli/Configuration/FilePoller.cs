namespace Vigil.Cli.Configuration;

/// <summary>
/// Watches files by polling their time and size: inotify misses a file replaced by rename on some file systems, and a
/// poll every 250 ms costs nothing next to detection.
/// </summary>
public static class FilePoller
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>The file's last write time and length, or default when it does not exist.</summary>
    public static (DateTime, long) Stamp(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : default;
    }

    /// <summary>Runs <paramref name="poll"/> every <see cref="Interval"/> until stopped.</summary>
    public static async Task PollAsync(Action poll, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(poll);
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                poll();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
