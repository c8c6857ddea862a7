namespace Vigil.Simulation.Datasets.Replay;

/// <summary>A dataset file that cannot be replayed as a whole (missing, no header, no amount column); the message says what to do.</summary>
public sealed class DatasetException(string message) : Exception(message);
