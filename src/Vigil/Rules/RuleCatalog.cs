using Vigil.Features;

namespace Vigil.Rules;

/// <summary>What rule expressions may name: the transaction's fields, the pipeline's features, and named lists.</summary>
/// <param name="Features">The features the pipeline computes before detection; a rule naming another is refused.</param>
/// <param name="Lists">Named allow and block lists (<c>customer_id in blocklist</c>).</param>
public sealed record RuleCatalog(FeatureSet Features, IReadOnlyDictionary<string, IReadOnlyList<string>> Lists)
{
    /// <summary>Text fields of a transaction.</summary>
    public static readonly IReadOnlyList<string> TextFields = ["transaction_id", "customer_id", "terminal_id", "source", "target", "currency"];

    /// <summary>The transaction's amount, the one numeric field every record has.</summary>
    public const string AmountField = "amount";

    /// <summary>The prefix that names any other numeric field of the record (<c>record.V14</c>).</summary>
    public const string RecordPrefix = "record.";

    public static RuleCatalog For(FeatureSet features) => new(features, new Dictionary<string, IReadOnlyList<string>>());
}
