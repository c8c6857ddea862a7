namespace Vigil.Simulation.Simulator;

/// <summary>The independent random streams of a simulation, each derived from the seed and its coordinates.</summary>
internal enum SimulationStream : ulong
{
    Customers = 1,
    Terminals = 2,

    /// <summary>One stream per (customer, day): that customer's transactions on that day.</summary>
    CustomerDay = 3,

    /// <summary>One stream per day: the terminals compromised that day (scenario 2).</summary>
    CompromisedTerminals = 4,

    /// <summary>One stream per day: the customers compromised that day and their fraudulent transactions (scenario 3).</summary>
    CompromisedCustomers = 5,
}
