namespace Vigil.Simulation.Simulator;

/// <summary>Why a simulated transaction is fraud: the handbook's three scenarios, the last that applied winning.</summary>
public enum FraudScenario : byte
{
    /// <summary>Genuine.</summary>
    None = 0,

    /// <summary>Scenario 1: the amount is above the threshold (220 by default).</summary>
    AmountAboveThreshold = 1,

    /// <summary>Scenario 2: made at a terminal compromised in the previous days (28 by default).</summary>
    CompromisedTerminal = 2,

    /// <summary>Scenario 3: made with a compromised card, its amount inflated (×5 by default).</summary>
    CompromisedCustomer = 3,
}
