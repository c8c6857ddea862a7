namespace Vigil.Alerts;

/// <summary>How alert channels pace, retry and bound themselves.</summary>
public sealed record AlertOptions
{
    /// <summary>Tries of one message before its alerts are given up (logged and counted); rate-limit waits do not count.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The wait after the first failure; it doubles with each one, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Alerts a channel holds in full while it waits; more are only counted (and summed) into the next digest.</summary>
    public int MaxPending { get; init; } = 1000;

    /// <summary>Transaction ids remembered to drop duplicates (a record decided twice after a restart).</summary>
    public int DedupeWindow { get; init; } = 100_000;

    /// <summary>How long a stop waits for channels to send what they hold.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
