namespace Vigil.Web.Scoring;

/// <summary>A request the scoring server cannot score; the message is what the 400 answer tells the client.</summary>
public sealed class ScoringRequestException(string message) : Exception(message);
