using Vigil.Streams;
using Vigil.Simulation.Randomness;
using Vigil.Simulation.Records;

namespace Vigil.Simulation.Seed;

/// <summary>The seed tutorials' generator: random 12-character accounts, amounts 1.00..1000.00 in cents, EUR.</summary>
/// <remarks>
/// Writes <c>{"source":"Jpe2zq1QDYTn","target":"lLbLnl0FSr7T","amount":254.83,"currency":"EUR"}</c> straight
/// into the caller's buffer, amounts printed as Python's <c>json.dumps</c> prints them (254.8, 1000.0). With the
/// seed's rule <c>amount &gt;= 900</c> about 10 % are fraud. The key is the source account, so that one
/// account's transactions stay in order on one partition.
/// </remarks>
public sealed class SeedTransactionGenerator : ITransactionSource
{
    public const int AccountLength = 12;
    public const long MinAmountCents = 100;
    public const long MaxAmountCents = 100_000;

    /// <summary>The longest record this generator writes.</summary>
    public const int MaxRecordLength = 96;

    // Python's string.digits + string.ascii_letters, the seed's alphabet.
    private static ReadOnlySpan<byte> AccountAlphabet => "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"u8;

    private readonly Xoshiro256 _random;

    private readonly byte[] _record = new byte[MaxRecordLength];
    private int _length;
    private Range _key;

    public SeedTransactionGenerator(ulong seed) => _random = new Xoshiro256(seed);

    public string Description => "the seed tutorials' generator";

    public bool HasLabels => false;

    public bool HasEventTime => false;

    public InvalidRecord? Invalid => null;

    public ReadOnlySpan<byte> Key => _record.AsSpan(_key);

    public ReadOnlySpan<byte> Value => _record.AsSpan(0, _length);

    public long EventTimeMs => 0;

    public ReadOnlySpan<byte> Label => [];

    public ReadOnlySpan<byte> Identity => [];

    /// <summary>The seed's generator never ends.</summary>
    public bool MoveNext()
    {
        _length = Next(_record, out _key);
        return true;
    }

    /// <summary>Writes the next transaction into <paramref name="destination"/>.</summary>
    /// <returns>The record's length; <paramref name="key"/> locates the source account inside it.</returns>
    public int Next(Span<byte> destination, out Range key)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, MaxRecordLength, nameof(destination));
        var at = Put("{\"source\":\""u8, destination);
        key = at..(at + AccountLength);
        at += WriteAccount(destination[at..]);
        at += Put("\",\"target\":\""u8, destination[at..]);
        at += WriteAccount(destination[at..]);
        at += Put("\",\"amount\":"u8, destination[at..]);
        at += Cents.Write(_random.NextInclusive(MinAmountCents, MaxAmountCents), destination[at..]);
        at += Put(",\"currency\":\"EUR\"}"u8, destination[at..]);
        return at;
    }

    private int WriteAccount(Span<byte> destination)
    {
        var alphabet = AccountAlphabet;
        ulong bits = 0;
        for (var i = 0; i < AccountLength; i++)
        {
            if ((i & 1) == 0)
            {
                bits = _random.NextUInt64();
            }

            // 32 random bits per character; the bias of 62/2^32 is far below anything observable.
            var word = (uint)(bits >> (32 * (i & 1)));
            destination[i] = alphabet[(int)(((ulong)word * (ulong)alphabet.Length) >> 32)];
        }

        return AccountLength;
    }

    private static int Put(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }
}
