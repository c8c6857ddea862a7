namespace Vigil.Runtime.Sources;

/// <summary>The topics a source publishes to; only <see cref="Transactions"/> is required.</summary>
/// <param name="Labels">Ground truth, released <paramref name="LabelDelay"/> of event time after each transaction; null to leave labels out.</param>
/// <param name="Identities">The second stream of a two-file dataset (IEEE-CIS identities).</param>
/// <param name="DeadLetters">Dataset rows that cannot be transactions, with the reason, file and line.</param>
public sealed record SourceOutputs(
    IRecordWriter Transactions,
    IRecordWriter? Labels = null,
    TimeSpan LabelDelay = default,
    IRecordWriter? Identities = null,
    IRecordWriter? DeadLetters = null)
{
    /// <summary>The report delay of fraud labels unless configured: a week, the handbook's delay period.</summary>
    public static readonly TimeSpan DefaultLabelDelay = TimeSpan.FromDays(7);
}
