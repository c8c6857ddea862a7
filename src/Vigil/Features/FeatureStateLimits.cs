namespace Vigil.Features;

/// <summary>
/// Bounds on a feature engine's state, so that no input (unique ids by the million, one card used without end) can
/// grow it past what the host planned for (docs/FEATURES.md, "Bounded state").
/// </summary>
/// <param name="MaxEntities">
/// Entities kept per group of features (customers, terminals): beyond it, the tenth least recently seen (by event time)
/// are forgotten at once, as if idle.
/// </param>
/// <param name="MaxEventsPerEntity">
/// Transactions one entity keeps within its longest window: beyond it, the oldest leave every window early, so the
/// entity's counts and sums cover its latest ones only.
/// </param>
public sealed record FeatureStateLimits(int MaxEntities = FeatureStateLimits.DefaultMaxEntities, int MaxEventsPerEntity = FeatureStateLimits.DefaultMaxEventsPerEntity)
{
    /// <summary>About 300 bytes an entity and group: 1.1 GB for the vigil set's four groups at the bound.</summary>
    public const int DefaultMaxEntities = 1_000_000;

    public const int DefaultMaxEventsPerEntity = 10_000;

    public static FeatureStateLimits Default { get; } = new();

    /// <summary>Throws when a bound is not positive.</summary>
    public FeatureStateLimits Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEntities, 10, nameof(MaxEntities));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEventsPerEntity, 1, nameof(MaxEventsPerEntity));
        return this;
    }
}
