using Vigil.Detection;
using Vigil.Transactions;

namespace Vigil.Runtime.Pipeline;

/// <summary>
/// Sees each transaction a detection processor decided, with its decision, before the processor moves on: the
/// retraining loop keeps the model inputs the pipeline computed, so that a model learns from what it will be shown.
/// </summary>
/// <remarks>
/// Called on the processor's thread for every record, dead letters excepted: it must copy what it keeps (both objects
/// are reused for the next record), never block and never allocate. One tap per processor.
/// </remarks>
public interface IDecisionTap
{
    void Decided(Transaction transaction, Decision decision);
}
