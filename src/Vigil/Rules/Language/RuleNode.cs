namespace Vigil.Rules.Language;

/// <summary>A node of a parsed rule expression, with the position of its first token.</summary>
internal abstract record RuleNode(int Line, int Column);

internal sealed record NumberNode(double Value, string Text, int Line, int Column) : RuleNode(Line, Column);

internal sealed record TextNode(string Value, int Line, int Column) : RuleNode(Line, Column);

internal sealed record BooleanNode(bool Value, int Line, int Column) : RuleNode(Line, Column);

internal sealed record NullNode(int Line, int Column) : RuleNode(Line, Column);

internal sealed record NameNode(string Name, int Line, int Column) : RuleNode(Line, Column);

internal sealed record ListNode(IReadOnlyList<RuleNode> Items, int Line, int Column) : RuleNode(Line, Column);

/// <summary><c>-x</c> or <c>not x</c>.</summary>
internal sealed record UnaryNode(string Operator, RuleNode Operand, int Line, int Column) : RuleNode(Line, Column);

/// <summary>Arithmetic, a comparison, <c>and</c> or <c>or</c>; the position is the operator's.</summary>
internal sealed record BinaryNode(string Operator, RuleNode Left, RuleNode Right, int Line, int Column) : RuleNode(Line, Column);

/// <summary><c>x in list</c> or <c>x not in list</c>; the list is a literal or a named list.</summary>
internal sealed record InNode(RuleNode Operand, RuleNode List, bool Negated, int Line, int Column) : RuleNode(Line, Column);

/// <summary><c>x is null</c> or <c>x is not null</c>.</summary>
internal sealed record IsNullNode(RuleNode Operand, bool Negated, int Line, int Column) : RuleNode(Line, Column);

internal sealed record CallNode(string Function, IReadOnlyList<RuleNode> Arguments, int Line, int Column) : RuleNode(Line, Column);
