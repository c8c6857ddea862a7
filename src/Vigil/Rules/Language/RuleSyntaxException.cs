namespace Vigil.Rules.Language;

/// <summary>A rule expression that does not parse or does not type-check, and where in the expression it went wrong.</summary>
public sealed class RuleSyntaxException(string rule, int line, int column, string problem)
    : FormatException($"rule '{rule}', line {line}, column {column}: {problem}")
{
    /// <summary>The rule's name.</summary>
    public string Rule { get; } = rule;

    /// <summary>1-based line within the rule's expression.</summary>
    public int Line { get; } = line;

    /// <summary>1-based column within that line.</summary>
    public int Column { get; } = column;

    /// <summary>What is wrong, without the position.</summary>
    public string Problem { get; } = problem;
}
