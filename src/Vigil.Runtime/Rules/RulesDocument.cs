using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Features;
using Vigil.Rules;
using Vigil.Rules.Language;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Runtime.Rules;

/// <summary>
/// A rules file (YAML; JSON is YAML too): an optional version, named allow and block lists, inline or read from files,
/// and the rules with their action, score and whether they are enabled. Compiled whole against the features a pipeline
/// computes; the first problem found is reported with its file, line and column.
/// </summary>
/// <remarks>
/// <code>
/// version: 2026-11-22.1
/// lists:
///   blocklist: [C1001, C1002]
///   trusted_terminals: { file: trusted.txt }   # one entry per line, relative to the rules file
/// rules:
///   - name: large_amount
///     expression: amount >= 900
///     action: flag        # flag (default) | review | allow
///     score: 1            # added to the decision's score; default 1, 0.5 to review, 0 to allow
///     enabled: true
/// </code>
/// The version every decision records is the file's <c>version</c> (or <c>rules</c>) and 8 hex digits of the
/// SHA-256 of the whole document and its list files, so an edit that forgets to bump the version still changes it.
/// </remarks>
public sealed class RulesDocument
{
    private static readonly string[] TopKeys = ["version", "lists", "rules"];
    private static readonly string[] RuleKeys = ["name", "expression", "action", "score", "enabled", "description"];

    private RulesDocument(string? declared, RuleSet ruleSet, IReadOnlyList<RuleDefinition> definitions, IReadOnlyDictionary<string, IReadOnlyList<string>> lists, IReadOnlyList<string> files)
    {
        DeclaredVersion = declared;
        RuleSet = ruleSet;
        Definitions = definitions;
        Lists = lists;
        Files = files;
    }

    /// <summary>The document's own <c>version</c>, if it has one.</summary>
    public string? DeclaredVersion { get; }

    /// <summary>The enabled rules, compiled.</summary>
    public RuleSet RuleSet { get; }

    /// <summary>Every rule of the file, disabled ones included, in file order.</summary>
    public IReadOnlyList<RuleDefinition> Definitions { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Lists { get; }

    /// <summary>The list files the document reads, which are watched with it.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Reads and compiles a rules file; list files are found beside it.</summary>
    /// <exception cref="RulesFileException">The file cannot be read, parsed or compiled.</exception>
    public static RulesDocument Load(string path, FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RulesFileException($"{path}: cannot read the rules file: {e.Message}", e);
        }

        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!, features);
    }

    /// <summary>Parses and compiles a rules document from text (a control-topic message, a file's content).</summary>
    /// <param name="origin">Names the document in errors: a path, or <c>topic[partition]@offset</c>.</param>
    /// <param name="directory">Where list files named by the document are found.</param>
    /// <exception cref="RulesFileException">The document cannot be parsed or compiled.</exception>
    public static RulesDocument Parse(string text, string origin, string directory, FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(features);
        var lines = text.Split('\n');
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode mapping
                ? mapping
                : throw new RulesFileException($"{origin}: a rules document is one mapping with 'rules:' (and optionally 'version:' and 'lists:')");
        }
        catch (YamlException e)
        {
            throw new RulesFileException($"{origin}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.InnerException?.Message ?? e.Message}", e);
        }

        RulesFileException Error(YamlNode node, string problem) => new($"{origin}:{node.Start.Line}:{node.Start.Column}: {problem}");
        CheckKeys(root, TopKeys, "the document", Error);
        var hash = new StringBuilder(text);
        var files = new List<string>();
        var lists = ReadLists(root, directory, hash, files, Error);
        var definitions = new List<(RuleDefinition Rule, YamlScalarNode Expression)>();
        if (!root.Children.TryGetValue(new YamlScalarNode("rules"), out var rulesNode) || rulesNode is not YamlSequenceNode sequence)
        {
            throw new RulesFileException($"{origin}: the document needs 'rules:', a list of rules (each with name and expression)");
        }

        foreach (var item in sequence)
        {
            definitions.Add(ReadRule(item, definitions.Select(d => d.Rule.Name), Error));
        }

        var declared = Scalar(root, "version", Error);
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hash.ToString())))[..8];
        var version = $"{declared?.Value ?? "rules"}:{digest}";
        var catalog = new RuleCatalog(features, lists);
        var rules = definitions.Select(d => d.Rule).ToList();
        try
        {
            return new RulesDocument(declared?.Value, RuleSet.Compile(version, rules, catalog), rules, lists, files);
        }
        catch (RuleSyntaxException e)
        {
            // The error's position is inside the rule's expression; the file's is where that expression starts.
            var expression = definitions.First(d => d.Rule.Name == e.Rule).Expression;
            var (line, column) = Locate(expression, e.Line, e.Column, lines);
            throw new RulesFileException($"{origin}:{line}:{column}: rule '{e.Rule}': {e.Problem}", e);
        }
    }

    /// <summary>The document as one JSON object with every list inline, for the control topic: it needs no files.</summary>
    public string ToJson()
    {
        var document = new JsonObject();
        if (DeclaredVersion is not null)
        {
            document["version"] = DeclaredVersion;
        }

        document["lists"] = new JsonObject(Lists.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)new JsonArray([.. l.Value.Select(v => JsonValue.Create(v))]))));
        document["rules"] = new JsonArray([.. Definitions.Select(d => new JsonObject
        {
            ["name"] = d.Name,
            ["expression"] = d.Expression,
            ["action"] = d.Action.Name(),
            ["score"] = d.Score,
            ["enabled"] = d.Enabled,
        })]);
        return document.ToJsonString();
    }

    private static Dictionary<string, IReadOnlyList<string>> ReadLists(
        YamlMappingNode root, string directory, StringBuilder hash, List<string> files, Func<YamlNode, string, RulesFileException> error)
    {
        var lists = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (!root.Children.TryGetValue(new YamlScalarNode("lists"), out var node))
        {
            return lists;
        }

        if (node is not YamlMappingNode mapping)
        {
            throw error(node, "'lists' maps names to lists: blocklist: [C1, C2] or blocklist: { file: blocked.txt }");
        }

        foreach (var (key, value) in mapping.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? string.Empty;
            if (!IsName(name) || RuleCatalog.TextFields.Contains(name) || name == RuleCatalog.AmountField)
            {
                throw error(key, $"'{name}' cannot name a list: use letters, digits and _, and not a field's name");
            }

            lists[name] = value switch
            {
                YamlSequenceNode items => [.. items.Select(i => i is YamlScalarNode { Value: { } v } ? v : throw error(i, $"list '{name}' holds texts or numbers only"))],
                YamlMappingNode { Children.Count: 1 } file when Scalar(file, "file", error) is { Value: { } relative } path =>
                    ReadListFile(Path.Combine(directory, relative), name, path, hash, files, error),
                _ => throw error(value, $"list '{name}' is a list ([a, b]) or a file ({{ file: {name}.txt }})"),
            };
        }

        return lists;
    }

    private static string[] ReadListFile(string path, string name, YamlNode at, StringBuilder hash, List<string> files, Func<YamlNode, string, RulesFileException> error)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw error(at, $"list '{name}': cannot read {path}: {e.Message}");
        }

        files.Add(Path.GetFullPath(path));
        hash.Append('\0').Append(text);
        return [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
    }

    private static (RuleDefinition, YamlScalarNode) ReadRule(YamlNode item, IEnumerable<string> earlier, Func<YamlNode, string, RulesFileException> error)
    {
        if (item is not YamlMappingNode rule)
        {
            throw error(item, "each rule is a mapping with name and expression");
        }

        CheckKeys(rule, RuleKeys, "a rule", error);
        var name = Scalar(rule, "name", error) is { Value: { } n } ? n : throw error(rule, "the rule has no name");
        if (!IsName(name))
        {
            throw error(rule, $"rule name '{name}' is not a name: use letters, digits and _");
        }

        if (earlier.Contains(name))
        {
            throw error(rule, $"two rules are named '{name}'");
        }

        var expression = Scalar(rule, "expression", error) is { Value: { Length: > 0 } } e ? e : throw error(rule, $"rule '{name}' has no expression");
        var action = RuleAction.Flag;
        if (Scalar(rule, "action", error) is { } actionNode && !RuleActions.TryParse(actionNode.Value, out action))
        {
            throw error(actionNode, $"rule '{name}': action '{actionNode.Value}' is not flag, review or allow");
        }

        var score = RuleDefinition.DefaultScore(action);
        if (Scalar(rule, "score", error) is { } scoreNode
            && (!double.TryParse(scoreNode.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out score) || score is < 0 or > 1))
        {
            throw error(scoreNode, $"rule '{name}': score '{scoreNode.Value}' is not a number from 0 to 1");
        }

        var enabled = true;
        if (Scalar(rule, "enabled", error) is { } enabledNode && !bool.TryParse(enabledNode.Value, out enabled))
        {
            throw error(enabledNode, $"rule '{name}': enabled is true or false, not '{enabledNode.Value}'");
        }

        return (new RuleDefinition(name, expression.Value!, action, score, enabled), expression);
    }

    private static void CheckKeys(YamlMappingNode mapping, string[] known, string what, Func<YamlNode, string, RulesFileException> error)
    {
        foreach (var key in mapping.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } name } || !known.Contains(name))
            {
                throw error(key, $"unknown key '{(key as YamlScalarNode)?.Value}' in {what} (known: {string.Join(", ", known)})");
            }
        }
    }

    private static YamlScalarNode? Scalar(YamlMappingNode mapping, string key, Func<YamlNode, string, RulesFileException> error) =>
        !mapping.Children.TryGetValue(new YamlScalarNode(key), out var node) ? null
        : node as YamlScalarNode ?? throw error(node, $"'{key}' is a single value");

    private static bool IsName(string name) => name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>Where a position inside an expression lies in the file, for plain, quoted and block (<c>|</c>, <c>&gt;</c>) scalars.</summary>
    private static (long Line, long Column) Locate(YamlScalarNode expression, int line, int column, string[] lines)
    {
        var start = expression.Start;
        if (expression.Style is ScalarStyle.Literal or ScalarStyle.Folded)
        {
            // The block's indentation is its first line's; the expression's columns count from there.
            var first = start.Line < lines.Length ? lines[start.Line] : string.Empty;
            return (start.Line + line, first.Length - first.TrimStart(' ').Length + column);
        }

        var quote = expression.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? 1 : 0;
        return line == 1 ? (start.Line, start.Column + quote + column - 1) : (start.Line + line - 1, column);
    }
}
