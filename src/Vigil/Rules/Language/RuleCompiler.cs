using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using Vigil.Transactions;

namespace Vigil.Rules.Language;

/// <summary>
/// Type-checks parsed rules and compiles each to a delegate through System.Linq.Expressions, once; nothing is
/// interpreted per transaction. One compiler per rule set: it numbers the inputs its rules read (<see cref="Inputs"/>).
/// </summary>
/// <remarks>
/// Types: numbers (null is NaN), text (the transaction's id fields, quoted literals), conditions (three-valued,
/// <see cref="RuleRuntime"/>) and lists. Text compares only for (in)equality and membership; a number literal
/// compared with text stands for its own digits (<c>customer_id in [2167, 3452]</c>).
/// </remarks>
internal sealed class RuleCompiler(RuleCatalog catalog)
{
    private static readonly ParameterExpression TransactionParameter = Expression.Parameter(typeof(Transaction), "transaction");
    private static readonly ParameterExpression InputsParameter = Expression.Parameter(typeof(double[]), "inputs");
    private static readonly Expression FalseValue = Expression.Constant(RuleRuntime.False);
    private static readonly Expression TrueValue = Expression.Constant(RuleRuntime.True);

    private static readonly Dictionary<string, string> TextFieldProperties = new(StringComparer.Ordinal)
    {
        ["transaction_id"] = nameof(Transaction.TransactionId),
        ["customer_id"] = nameof(Transaction.CustomerId),
        ["terminal_id"] = nameof(Transaction.TerminalId),
        ["source"] = nameof(Transaction.Source),
        ["target"] = nameof(Transaction.Target),
        ["currency"] = nameof(Transaction.Currency),
    };

    private readonly List<string> _inputs = [];
    private string _rule = string.Empty;

    /// <summary>The numeric inputs the compiled rules read, by index into their <c>inputs</c> array.</summary>
    public IReadOnlyList<string> Inputs => _inputs;

    /// <exception cref="RuleSyntaxException">The expression does not parse, or is not a condition.</exception>
    public RuleCondition Compile(string rule, string expression)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rule);
        ArgumentNullException.ThrowIfNull(expression);
        _rule = rule;
        var tree = RuleParser.Parse(rule, expression);
        var body = Condition(tree);
        var matches = Expression.Equal(body, TrueValue);
        return Expression.Lambda<RuleCondition>(matches, $"rule_{rule}", [TransactionParameter, InputsParameter]).Compile();
    }

    private enum Kind
    {
        Number,
        Text,
        Condition,
        List,
        Null,
    }

    /// <summary>A typed piece of a rule. Text is either a field (<see cref="Expression"/> of <see cref="Utf8Field"/>) or a literal.</summary>
    private sealed record Typed(Kind Kind, RuleNode Node, Expression? Expression = null, string? Literal = null, IReadOnlyList<RuleNode>? Items = null, string? ListName = null);

    private Expression Condition(RuleNode node)
    {
        var typed = Compile(node);
        return typed.Kind == Kind.Condition
            ? typed.Expression!
            : throw Error(node, $"expected a condition (a comparison, 'in', 'is null', 'and', 'or', 'not'), found {Describe(typed)}");
    }

    private Expression Number(RuleNode node)
    {
        var typed = Compile(node);
        return typed.Kind == Kind.Number
            ? typed.Expression!
            : throw Error(node, $"expected a number, found {Describe(typed)}");
    }

    private Typed Compile(RuleNode node) => node switch
    {
        NumberNode n => new Typed(Kind.Number, n, Expression.Constant(n.Value), n.Text),
        TextNode t => new Typed(Kind.Text, t, Literal: t.Value),
        BooleanNode b => new Typed(Kind.Condition, b, b.Value ? TrueValue : FalseValue),
        NullNode => new Typed(Kind.Null, node),
        NameNode name => Name(name),
        ListNode list => new Typed(Kind.List, list, Items: list.Items),
        UnaryNode { Operator: "not" } not => new Typed(Kind.Condition, not, Expression.Subtract(TrueValue, Condition(not.Operand))),
        UnaryNode negate => new Typed(Kind.Number, negate, Expression.Negate(Number(negate.Operand))),
        BinaryNode { Operator: "and" or "or" } logic => new Typed(Kind.Condition, logic, Logic(logic)),
        BinaryNode { Operator: "+" or "-" or "*" or "/" or "%" } arithmetic => new Typed(Kind.Number, arithmetic, Arithmetic(arithmetic)),
        BinaryNode comparison => new Typed(Kind.Condition, comparison, Comparison(comparison)),
        InNode membership => new Typed(Kind.Condition, membership, Membership(membership)),
        IsNullNode isNull => new Typed(Kind.Condition, isNull, IsNull(isNull)),
        CallNode call => new Typed(Kind.Number, call, Call(call)),
        _ => throw Error(node, "unsupported expression"),
    };

    private Typed Name(NameNode node)
    {
        var name = node.Name;
        if (TextFieldProperties.TryGetValue(name, out var property))
        {
            return new Typed(Kind.Text, node, Expression.Property(TransactionParameter, property));
        }

        if (name == RuleCatalog.AmountField)
        {
            return new Typed(Kind.Number, node, Expression.Property(TransactionParameter, nameof(Transaction.Amount)));
        }

        if (catalog.Lists.TryGetValue(name, out var items))
        {
            var literals = items.Select(item => (RuleNode)new TextNode(item, node.Line, node.Column)).ToList();
            return new Typed(Kind.List, node, Items: literals, ListName: name);
        }

        if (catalog.Features.IndexOf(name) >= 0)
        {
            return new Typed(Kind.Number, node, Input(name));
        }

        if (name.StartsWith(RuleCatalog.RecordPrefix, StringComparison.Ordinal) && name.Length > RuleCatalog.RecordPrefix.Length)
        {
            return new Typed(Kind.Number, node, Input(name[RuleCatalog.RecordPrefix.Length..]));
        }

        var known = TextFieldProperties.Keys.Append(RuleCatalog.AmountField).Concat(catalog.Lists.Keys)
            .Concat(catalog.Features.Definitions.Select(d => d.Name));
        var closest = known.MinBy(k => Distance(k, name));
        var hint = closest is not null && Distance(closest, name) <= Math.Max(2, name.Length / 3) ? $" (did you mean {closest}?)" : string.Empty;
        var features = catalog.Features.IsEmpty ? "this pipeline computes no features" : $"the features are those of the '{catalog.Features.Name}' set";
        throw Error(node, $"unknown name '{name}'{hint}: {features}; other numeric fields of the record are read as record.NAME");
    }

    private BinaryExpression Input(string name)
    {
        var index = _inputs.IndexOf(name);
        if (index < 0)
        {
            _inputs.Add(name);
            index = _inputs.Count - 1;
        }

        return Expression.ArrayIndex(InputsParameter, Expression.Constant(index));
    }

    /// <summary>Kleene <c>and</c>/<c>or</c>, short-circuiting: the right side runs only when the left does not decide.</summary>
    private BlockExpression Logic(BinaryNode node)
    {
        var left = Expression.Variable(typeof(int), "left");
        var and = node.Operator == "and";
        var decided = and ? FalseValue : TrueValue;
        var combine = typeof(Math).GetMethod(and ? nameof(Math.Min) : nameof(Math.Max), [typeof(int), typeof(int)])!;
        return Expression.Block(
            typeof(int),
            [left],
            Expression.Assign(left, Condition(node.Left)),
            Expression.Condition(Expression.Equal(left, decided), decided, Expression.Call(combine, left, Condition(node.Right))));
    }

    private Expression Arithmetic(BinaryNode node)
    {
        var left = Number(node.Left);
        var right = Number(node.Right);
        return node.Operator switch
        {
            "+" => Expression.Add(left, right),
            "-" => Expression.Subtract(left, right),
            "*" => Expression.Multiply(left, right),
            "/" => Runtime(nameof(RuleRuntime.Divide), left, right),
            _ => Runtime(nameof(RuleRuntime.Remainder), left, right),
        };
    }

    private Expression Comparison(BinaryNode node)
    {
        var left = Compile(node.Left);
        var right = Compile(node.Right);
        if (left.Kind == Kind.Null || right.Kind == Kind.Null)
        {
            throw Error(node, $"a comparison with null is never true: write 'is null' or 'is not null'");
        }

        if (left.Kind == Kind.Text || right.Kind == Kind.Text)
        {
            return TextComparison(node, left, right);
        }

        if (left.Kind == Kind.Condition && right.Kind == Kind.Condition && node.Operator is "==" or "!=")
        {
            var same = Expression.Condition(Expression.Equal(left.Expression!, right.Expression!), TrueValue, FalseValue);
            var anyUnknown = Expression.OrElse(
                Expression.Equal(left.Expression!, Expression.Constant(RuleRuntime.Unknown)),
                Expression.Equal(right.Expression!, Expression.Constant(RuleRuntime.Unknown)));
            Expression result = node.Operator == "==" ? same : Expression.Subtract(TrueValue, same);
            return Expression.Condition(anyUnknown, Expression.Constant(RuleRuntime.Unknown), result);
        }

        var method = node.Operator switch
        {
            "<" => nameof(RuleRuntime.Less),
            "<=" => nameof(RuleRuntime.LessOrEqual),
            ">" => nameof(RuleRuntime.Greater),
            ">=" => nameof(RuleRuntime.GreaterOrEqual),
            "==" => nameof(RuleRuntime.Equal),
            _ => nameof(RuleRuntime.NotEqual),
        };
        return Runtime(method, NumberOf(left), NumberOf(right));
    }

    private Expression NumberOf(Typed typed) =>
        typed.Kind == Kind.Number ? typed.Expression! : throw Error(typed.Node, $"expected a number, found {Describe(typed)}");

    private Expression TextComparison(BinaryNode node, Typed left, Typed right)
    {
        if (node.Operator is not ("==" or "!="))
        {
            throw Error(node, $"text is compared with == , != or in, not {node.Operator}");
        }

        var field = left.Expression is not null && left.Kind == Kind.Text ? left : right;
        var other = ReferenceEquals(field, left) ? right : left;
        if (field.Expression is null)
        {
            throw Error(node, "compare a field with a text, not two texts");
        }

        Expression equal;
        if (other.Kind == Kind.Text && other.Expression is not null)
        {
            equal = Runtime(nameof(RuleRuntime.FieldsEqual), TransactionParameter, field.Expression, other.Expression);
        }
        else
        {
            var literal = TextLiteral(other);
            equal = Runtime(nameof(RuleRuntime.TextEquals), TransactionParameter, field.Expression, Expression.Constant(Encoding.UTF8.GetBytes(literal)));
        }

        return node.Operator == "==" ? equal : Expression.Subtract(TrueValue, equal);
    }

    /// <summary>The text a literal stands for when compared with a text field: quoted text, or a number's digits.</summary>
    private string TextLiteral(Typed typed) => typed switch
    {
        { Kind: Kind.Text, Literal: { } text } => text,
        { Kind: Kind.Number, Node: NumberNode number } => number.Text,
        _ => throw Error(typed.Node, $"expected a text, found {Describe(typed)}"),
    };

    private Expression Membership(InNode node)
    {
        var operand = Compile(node.Operand);
        var list = Compile(node.List);
        if (list.Kind != Kind.List)
        {
            throw Error(node.List, $"expected a list after 'in' ([\"a\", \"b\"] or a list of the rules file), found {Describe(list)}");
        }

        Expression found;
        if (operand.Kind == Kind.Text && operand.Expression is not null)
        {
            var texts = new TextSet(list.Items!.Select(item => TextLiteral(Compile(item))));
            found = Runtime(nameof(RuleRuntime.TextIn), TransactionParameter, operand.Expression, Expression.Constant(texts));
        }
        else if (operand.Kind == Kind.Number)
        {
            var numbers = list.Items!.Select(item => item is NumberNode n ? n.Value : ListNumber(item, list.ListName)).Order().ToArray();
            found = Runtime(nameof(RuleRuntime.NumberIn), operand.Expression!, Expression.Constant(numbers));
        }
        else
        {
            throw Error(node.Operand, $"expected a field or a number before 'in', found {Describe(operand)}");
        }

        return node.Negated ? Expression.Subtract(TrueValue, found) : found;
    }

    /// <summary>An item of a named list used with a number: the list's texts must all be numbers.</summary>
    private double ListNumber(RuleNode item, string? list) =>
        item is TextNode text && double.TryParse(text.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(item, list is null
                ? $"{(item is TextNode t ? $"'{t.Value}'" : "this")} is not a number, and a number is looked up in a list of numbers"
                : $"list '{list}' holds '{(item as TextNode)?.Value}', which is not a number");

    private Expression IsNull(IsNullNode node)
    {
        var operand = Compile(node.Operand);
        var isNull = operand switch
        {
            { Kind: Kind.Number } => Runtime(nameof(RuleRuntime.IsNull), operand.Expression!),
            { Kind: Kind.Text, Expression: not null } => Runtime(nameof(RuleRuntime.IsNull), operand.Expression),
            _ => throw Error(node.Operand, $"'is null' applies to a field or a feature, not {Describe(operand)}"),
        };
        return node.Negated ? Expression.Subtract(TrueValue, isNull) : isNull;
    }

    private MethodCallExpression Call(CallNode node)
    {
        var arity = node.Function switch
        {
            "abs" => 1,
            "min" or "max" or "coalesce" => 2,
            _ => throw Error(node, $"unknown function '{node.Function}' (abs, min, max, coalesce)"),
        };
        if (node.Arguments.Count != arity)
        {
            throw Error(node, $"{node.Function} takes {arity} argument{(arity == 1 ? string.Empty : "s")}, not {node.Arguments.Count}");
        }

        var arguments = node.Arguments.Select(Number).ToArray();
        return node.Function switch
        {
            "abs" => Expression.Call(typeof(Math).GetMethod(nameof(Math.Abs), [typeof(double)])!, arguments),
            "coalesce" => Runtime(nameof(RuleRuntime.Coalesce), arguments),
            _ => Expression.Call(typeof(Math).GetMethod(node.Function == "min" ? nameof(Math.Min) : nameof(Math.Max), [typeof(double), typeof(double)])!, arguments),
        };
    }

    private static MethodCallExpression Runtime(string method, params Expression[] arguments) =>
        Expression.Call(typeof(RuleRuntime).GetMethod(method, BindingFlags.Public | BindingFlags.Static, [.. arguments.Select(a => a.Type)])!, arguments);

    private static string Describe(Typed typed) => typed.Kind switch
    {
        Kind.Number => "a number",
        Kind.Text when typed.Expression is not null => $"the text field {((NameNode)typed.Node).Name}",
        Kind.Text => "a text",
        Kind.Condition => "a condition",
        Kind.List => "a list",
        _ => "null",
    };

    private RuleSyntaxException Error(RuleNode at, string problem) => new(_rule, at.Line, at.Column, problem);

    /// <summary>Levenshtein distance, for suggesting the name a typo meant.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
