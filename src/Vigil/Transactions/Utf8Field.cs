namespace Vigil.Transactions;

/// <summary>Where a field's raw JSON text lies inside a record's UTF-8 bytes.</summary>
/// <remarks>
/// Strings are stored without their quotes and still escaped when <see cref="IsEscaped"/>;
/// numbers are stored as their literal text. The default value means "absent": a value can
/// never start at byte 0, where the record's opening brace is.
/// </remarks>
public readonly record struct Utf8Field(int Start, int Length, bool IsEscaped, bool IsNumber)
{
    public bool IsPresent => Start > 0;

    public static Utf8Field Absent => default;
}
