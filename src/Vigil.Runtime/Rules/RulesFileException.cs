namespace Vigil.Runtime.Rules;

/// <summary>A rules document that cannot be used; the message starts with where (<c>rules.yaml:12:21:</c>) and says what is wrong.</summary>
public sealed class RulesFileException(string message, Exception? inner = null) : Exception(message, inner);
