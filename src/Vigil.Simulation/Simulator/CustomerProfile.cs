namespace Vigil.Simulation.Simulator;

/// <summary>A simulated customer: where it lives and how it spends.</summary>
public readonly record struct CustomerProfile(double X, double Y, double MeanAmount, double StdDevAmount, double MeanTransactionsPerDay);
