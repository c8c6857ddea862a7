namespace Vigil.Simulation.Datasets.Replay;

/// <summary>What to replay and how to read it (configuration section <c>Replay</c>).</summary>
public sealed class ReplayOptions
{
    /// <summary>The transactions file: CSV, or CSV compressed with gzip (<c>.gz</c>).</summary>
    public required string Path { get; init; }

    /// <summary>A second file joined by transaction id (IEEE-CIS identities), published to the identities topic.</summary>
    public string? Identities { get; init; }

    public DatasetFormat Format { get; init; } = DatasetFormat.Auto;

    /// <summary>Fields mapped to other columns than the format's (field → column).</summary>
    public IReadOnlyDictionary<string, string> Columns { get; init; } = new Dictionary<string, string>();

    /// <summary>The date numeric timestamps count seconds from, instead of the format's.</summary>
    public DateOnly? StartDate { get; init; }
}
