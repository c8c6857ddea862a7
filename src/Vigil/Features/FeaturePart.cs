namespace Vigil.Features;

/// <summary>
/// The features of a set that read one entity's history, with their positions in the whole set: the unit by which
/// feature state is split, so that each part can be kept by whoever owns that entity's key.
/// </summary>
/// <param name="Entity">Whose history the part reads (<see cref="FeatureEntity.Transaction"/>: none).</param>
/// <param name="Set">The part's own features, in the whole set's order.</param>
/// <param name="Positions">For each of the part's features, its index in the whole set.</param>
public sealed record FeaturePart(FeatureEntity Entity, FeatureSet Set, IReadOnlyList<int> Positions)
{
    /// <summary>
    /// Splits a set by entity, the customer's part first. The transaction's own features (hour, weekend, amount) read
    /// no history: they ride with the first part. A set without windowed features is one part.
    /// </summary>
    public static IReadOnlyList<FeaturePart> Split(FeatureSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var entities = set.Definitions.Where(d => d.IsWindowed).Select(d => d.Entity).Distinct().Order().ToArray();
        if (entities.Length == 0)
        {
            return [Of(set, FeatureEntity.Transaction, _ => true)];
        }

        return [.. entities.Select((entity, i) => Of(set, entity, d => d.Entity == entity || (i == 0 && !d.IsWindowed)))];
    }

    /// <summary>Copies the part's values (in its own order) to their places in a row of the whole set.</summary>
    public void Scatter(ReadOnlySpan<double> own, Span<double> whole)
    {
        for (var i = 0; i < Positions.Count; i++)
        {
            whole[Positions[i]] = own[i];
        }
    }

    private static FeaturePart Of(FeatureSet set, FeatureEntity entity, Func<FeatureDefinition, bool> keeps)
    {
        var definitions = set.Definitions.Where(keeps).ToArray();
        return new FeaturePart(entity, new FeatureSet(set.Name, definitions), [.. definitions.Select(d => set.IndexOf(d.Name))]);
    }
}
