namespace Vigil.Labels;

/// <summary>The ground truth about one transaction, as it arrives on the labels topic, after the fact.</summary>
/// <param name="TransactionKey">The transaction's id as a join key (<see cref="Transactions.TransactionKey"/>).</param>
/// <param name="Amount">The transaction's amount, to count the money fraud cost; 0 when the label does not say.</param>
/// <param name="Scenario">How the fraud was made, when the source knows (the simulator's scenarios 1–3); 0 otherwise.</param>
public readonly record struct Label(long TransactionKey, bool IsFraud, double Amount, int Scenario)
{
    /// <summary>
    /// An analyst's verdict (<c>"analyst": "alice"</c>, written first), released when it was given rather than after the
    /// report delay: training may learn from it, but quality is measured against reports alone.
    /// </summary>
    public bool IsVerdict { get; init; }
}
