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
