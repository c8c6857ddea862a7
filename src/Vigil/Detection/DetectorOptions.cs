using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>Settings of the detection core, bound by the host from configuration (section <c>Detector</c>).</summary>
public sealed class DetectorOptions
{
    /// <summary>Transactions of this amount or more are fraud (the seed's rule).</summary>
    public double AmountThreshold { get; set; } = RuleSet.SeedAmountThreshold;
}
