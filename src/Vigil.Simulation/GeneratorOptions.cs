namespace Vigil.Simulation;

/// <summary>What a generator produces: the handbook simulator with ground truth, or the seed tutorials' random transactions.</summary>
public enum GeneratorProfile
{
    Simulator,
    Seed,
}

/// <summary>Settings of a transaction generator (configuration section <c>Generator</c>).</summary>
public sealed class GeneratorOptions
{
    public const double DefaultRate = 1000;

    public GeneratorProfile Profile { get; set; } = GeneratorProfile.Simulator;

    /// <summary>Transactions per second; null for as fast as the pipeline takes them (<c>--rate max</c>).</summary>
    public double? RatePerSecond { get; set; } = DefaultRate;

    /// <summary>When set, pace by event time instead of by rate: event time per clock time (1 is real time).</summary>
    public double? Speed { get; set; }

    /// <summary>The random seed; the same seed generates the same transactions. Null picks one.</summary>
    public ulong? Seed { get; set; }

    /// <summary>Stop after this many transactions; null for no limit.</summary>
    public long? Count { get; set; }
}
