namespace Vigil.Learning.Retraining;

/// <summary>A change to the models that their state refuses: promoting the model that decides already.</summary>
public sealed class ModelConflictException(string message) : Exception(message);
