using System.Text;
using System.Text.Json.Nodes;
using Avro;
using Vigil.Transactions;

namespace Vigil.Avro.Records;

/// <summary>
/// How to read one writer schema's records as transactions: each field's role (amount, event time, an id, a number
/// for models, or something to step over) and type, in order; and the schema of the decided records, the input's
/// fields and then <c>vigil</c>.
/// </summary>
internal sealed class TransactionPlan
{
    private TransactionPlan(string name, Step[] steps, byte[] names, string outputSchema, string? featuredOutputSchema)
    {
        FeaturedOutputSchema = featuredOutputSchema;
        Name = name;
        Steps = steps;
        Names = names;
        OutputSchema = outputSchema;
    }

    public enum Role
    {
        Skip,
        Number,
        Amount,
        Timestamp,
        TransactionId,
        CustomerId,
        TerminalId,
        Source,
        Target,
        Currency,
    }

    /// <summary>One field: its role, its type, and (for numbers kept for models) where its name lies in <see cref="Names"/>.</summary>
    public readonly record struct Step(Role Role, AvroType Type, string Name, Utf8Field NameField);

    /// <summary>The record's full name, for messages.</summary>
    public string Name { get; }

    public Step[] Steps { get; }

    /// <summary>The field names of numbers kept for models, as UTF-8, after one unused byte (a field at 0 reads as absent).</summary>
    public byte[] Names { get; }

    /// <summary>The decided records' schema (Avro JSON).</summary>
    public string OutputSchema { get; }

    /// <summary>
    /// The decided records' schema behind the feature service: the input's fields, then <c>features</c> (a map of name to
    /// optional double), then <c>vigil</c>; null when the input has a field named <c>features</c> already.
    /// </summary>
    public string? FeaturedOutputSchema { get; }

    /// <summary>Compiles a writer schema's text.</summary>
    /// <exception cref="NotSupportedException">Not a record Vigil can read as a transaction; the message says why.</exception>
    public static TransactionPlan Compile(string schemaText)
    {
        Schema schema;
        try
        {
            schema = Schema.Parse(schemaText);
        }
        catch (Exception e) when (e is SchemaParseException or AvroException or System.Text.Json.JsonException or Newtonsoft.Json.JsonException)
        {
            throw new NotSupportedException($"the schema does not parse: {e.Message}", e);
        }

        if (schema is not RecordSchema record)
        {
            throw new NotSupportedException($"the schema is a {schema.Tag.ToString().ToLowerInvariant()}, not a record");
        }

        var type = AvroType.Compile(record);
        var names = new List<byte> { 0 };
        var steps = new Step[record.Fields.Count];
        for (var i = 0; i < steps.Length; i++)
        {
            var name = record.Fields[i].Name;
            var field = type.Children[i];
            var role = RoleOf(name, field);
            var nameField = default(Utf8Field);
            if (role == Role.Number)
            {
                var utf8 = Encoding.UTF8.GetBytes(name);
                nameField = new Utf8Field(names.Count, utf8.Length, IsEscaped: false, IsNumber: false);
                names.AddRange(utf8);
            }

            steps[i] = new Step(role, field, name, nameField);
        }

        if (!steps.Any(s => s.Role == Role.Amount))
        {
            throw new NotSupportedException($"record {record.Fullname} has no amount field");
        }

        return new TransactionPlan(
            record.Fullname, steps, [.. names], OutputSchemaOf(schemaText, withFeatures: false), steps.Any(s => s.Name == "features") ? null : OutputSchemaOf(schemaText, withFeatures: true));
    }

    private static Role RoleOf(string name, AvroType type)
    {
        var role = name switch
        {
            "amount" => Role.Amount,
            "timestamp" => Role.Timestamp,
            "transaction_id" => Role.TransactionId,
            "customer_id" => Role.CustomerId,
            "terminal_id" => Role.TerminalId,
            "source" => Role.Source,
            "target" => Role.Target,
            "currency" => Role.Currency,
            "vigil" => throw new NotSupportedException("the record has a field named vigil already, where the decision goes: decide the original records"),
            _ => IsNumeric(type) ? Role.Number : Role.Skip,
        };
        var branches = type.Kind == Schema.Type.Union ? type.Children : [type];
        var allowed = role switch
        {
            Role.Amount => [Schema.Type.Double, Schema.Type.Float, Schema.Type.Int, Schema.Type.Long, Schema.Type.Null],
            Role.Timestamp => [Schema.Type.Long, Schema.Type.String, Schema.Type.Null],
            Role.Currency => [Schema.Type.String, Schema.Type.Null],
            Role.Number or Role.Skip => (Schema.Type[])[],
            _ => [Schema.Type.Long, Schema.Type.Int, Schema.Type.String, Schema.Type.Null],
        };
        if (allowed.Length > 0 && branches.FirstOrDefault(b => !allowed.Contains(b.Kind)) is { } other)
        {
            throw new NotSupportedException($"field {name} is of type {other.Kind.ToString().ToLowerInvariant()}{(other.Logical is { } l ? $" ({l})" : string.Empty)}; Vigil reads it as {string.Join(", ", allowed.Select(a => a.ToString().ToLowerInvariant()))}");
        }

        if (role == Role.Amount && !branches.Any(b => b.Kind != Schema.Type.Null))
        {
            throw new NotSupportedException("field amount is always null");
        }

        return role;
    }

    private static bool IsNumeric(AvroType type) =>
        (type.Kind == Schema.Type.Union ? type.Children : [type]).All(b => b.Kind is Schema.Type.Int or Schema.Type.Long or Schema.Type.Float or Schema.Type.Double or Schema.Type.Null)
        && (type.Kind != Schema.Type.Null);

    /// <summary>The input schema with the decision appended as its last field, <c>vigil</c> (after <c>features</c> if asked).</summary>
    private static string OutputSchemaOf(string schemaText, bool withFeatures)
    {
        var root = JsonNode.Parse(schemaText)!.AsObject();
        var fields = root["fields"]!.AsArray();
        if (withFeatures)
        {
            fields.Add(new JsonObject
            {
                ["name"] = "features",
                ["type"] = new JsonObject { ["type"] = "map", ["values"] = new JsonArray("null", "double") },
                ["default"] = new JsonObject(),
            });
        }

        fields.Add(new JsonObject { ["name"] = "vigil", ["type"] = JsonNode.Parse(AvroSchemas.Decision) });
        return root.ToJsonString();
    }
}
