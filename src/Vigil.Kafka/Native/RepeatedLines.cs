namespace Vigil.Kafka.Native;

/// <summary>
/// Lets one of librdkafka's lines through once per <see cref="Window"/>: against a broker that is down it says the
/// same "Connect … failed" a few dozen times a second, through its log and its error callback both.
/// </summary>
/// <remarks>
/// The key is the line without librdkafka's <c>[thrd:…]: </c> prefix, so the log callback's copy and the error
/// callback's copy of one event count as one. Called on librdkafka's threads; a lock keeps it simple, as lines are rare.
/// </remarks>
public sealed class RepeatedLines(TimeSpan window, Func<TimeSpan> now)
{
    private const int MaxKept = 256;

    private readonly Dictionary<string, (TimeSpan Shown, int Suppressed)> _lines = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public RepeatedLines()
        : this(TimeSpan.FromSeconds(30), StopwatchClock())
    {
    }

    public TimeSpan Window => window;

    /// <summary>The line to print (with how often it was passed over since last shown), or null to stay silent.</summary>
    public string? Admit(string? line)
    {
        if (line is null)
        {
            return null;
        }

        var key = WithoutThread(line);
        var at = now();
        lock (_gate)
        {
            if (_lines.TryGetValue(key, out var seen) && at - seen.Shown < window)
            {
                _lines[key] = seen with { Suppressed = seen.Suppressed + 1 };
                return null;
            }

            if (_lines.Count >= MaxKept)
            {
                _lines.Clear();
            }

            _lines[key] = (at, 0);
            return seen.Suppressed > 0 ? $"{key} (repeated {seen.Suppressed:N0} times in the last {(at - seen.Shown).TotalSeconds:N0} s)" : key;
        }
    }

    /// <summary>"[thrd:127.0.0.1:9092/1]: 127.0.0.1:9092/1: Connect…" → "127.0.0.1:9092/1: Connect…".</summary>
    private static string WithoutThread(string line)
    {
        const string prefix = "[thrd:";
        if (line.StartsWith(prefix, StringComparison.Ordinal) && line.IndexOf("]: ", prefix.Length, StringComparison.Ordinal) is var end and >= 0)
        {
            return line[(end + 3)..];
        }

        return line;
    }

    private static Func<TimeSpan> StopwatchClock()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return () => clock.Elapsed;
    }
}
