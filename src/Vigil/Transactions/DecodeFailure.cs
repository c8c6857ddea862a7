namespace Vigil.Transactions;

/// <summary>Why a record could not be decoded into a transaction.</summary>
public enum DecodeError
{
    TooLarge,
    NotUtf8,
    NotJson,
    NotAnObject,
    DuplicateField,
    MissingAmount,
    AmountWrongType,
    AmountNotFinite,
    AmountNegative,
    AmountTooLarge,
    FieldWrongType,
    BadTimestamp,

    /// <summary>Not in Confluent's Avro wire format (magic byte 0, schema id, Avro binary), or bytes the schema cannot read.</summary>
    NotAvro,

    /// <summary>A schema id the registry does not know.</summary>
    SchemaUnknown,

    /// <summary>The schema registry could not be reached or answered an error.</summary>
    SchemaUnavailable,

    /// <summary>A schema whose fields Vigil cannot read as a transaction (an amount of another type, a field named vigil).</summary>
    SchemaUnsupported,
}

/// <summary>A decoding failure: a machine-readable code and a reason a person can act on.</summary>
public sealed record DecodeFailure(DecodeError Code, string Reason)
{
    /// <summary>The code in snake case, as written to dead-letter headers and reports.</summary>
    public string CodeName => CodeNames[(int)Code];

    private static readonly string[] CodeNames = Enum.GetNames<DecodeError>().Select(SnakeCase).ToArray();

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
