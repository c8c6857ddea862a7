namespace Vigil.Learning.Training;

/// <summary>How far a training run is: steps done of the total (iterations or trees), and a short status.</summary>
public sealed record TrainingProgress(int Done, int Total, string Status);
