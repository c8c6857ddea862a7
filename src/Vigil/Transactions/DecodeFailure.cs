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
    FieldWrongType,
    BadTimestamp,
}

/// <summary>A decoding failure: a machine-readable code and a reason a person can act on.</summary>
public sealed record DecodeFailure(DecodeError Code, string Reason)
{
    /// <summary>The code in snake case, as written to dead-letter headers and reports.</summary>
    public string CodeName => CodeNames[(int)Code];

    private static readonly string[] CodeNames =
    [
        "too_large", "not_utf8", "not_json", "not_an_object", "duplicate_field", "missing_amount",
        "amount_wrong_type", "amount_not_finite", "amount_negative", "field_wrong_type", "bad_timestamp",
    ];
}
