namespace Vigil.Simulation;

/// <summary>Settings of a transaction generator (configuration section <c>Generator</c>).</summary>
public sealed class GeneratorOptions
{
    public const double DefaultRate = 1000;

    /// <summary>Transactions per second; null for as fast as the pipeline takes them (<c>--rate max</c>).</summary>
    public double? RatePerSecond { get; set; } = DefaultRate;

    /// <summary>The random seed; the same seed generates the same transactions. Null picks one.</summary>
    public ulong? Seed { get; set; }

    /// <summary>Stop after this many transactions; null for no limit.</summary>
    public long? Count { get; set; }
}
