namespace Vigil.Streams;

/// <summary>Why a dataset row cannot be replayed, and where it is: it goes to the dead letters with this.</summary>
/// <param name="Code">Machine-readable, in snake case (<c>bad_amount</c>).</param>
/// <param name="Line">The row's line number in the file, from 1 (the header is line 1).</param>
public sealed record InvalidRecord(string Code, string Reason, string File, long Line);
