namespace Vigil.Simulation.Simulator;

/// <summary>One simulated transaction with its ground truth.</summary>
/// <param name="TransactionId">Numbered from 0 in event-time order.</param>
/// <param name="TimeSeconds">Event time in seconds since the start date's midnight (the handbook's TX_TIME_SECONDS).</param>
/// <param name="AmountCents">The amount in cents (scenario 3's inflation included).</param>
public readonly record struct SimulatedTransaction(
    long TransactionId, long TimeSeconds, int CustomerId, int TerminalId, long AmountCents, FraudScenario Scenario)
{
    public const int SecondsPerDay = 86_400;

    public bool IsFraud => Scenario != FraudScenario.None;

    /// <summary>The simulated day, from 0 (the handbook's TX_TIME_DAYS).</summary>
    public int Day => (int)(TimeSeconds / SecondsPerDay);
}
