using System.Buffers.Text;

namespace Vigil.Runtime.Pipeline;

/// <summary>Made-up transactions for warming up compiled code: every path of decoding, features and scoring.</summary>
/// <remarks>
/// <c>{"transaction_id":7,"timestamp":"2018-04-01T00:00:49Z","customer_id":7,"terminal_id":7,"amount":412.5}</c>:
/// time moves on 7 s a record, 500 customers and 1,000 terminals come back often enough to fill their windows, and
/// amounts spread over 1 to 1,000 so that rules and models flag some. Not a simulation: the simulator lives outside
/// the runtime, which needs none to start.
/// </remarks>
internal sealed class WarmUpRecords
{
    /// <summary>The longest record written.</summary>
    public const int MaxLength = 160;

    /// <summary>The longest key written (a customer id).</summary>
    public const int MaxKeyLength = 20;

    private const long SecondsApart = 7;
    private static readonly DateTime Origin = new(2018, 4, 1, 0, 0, 0, DateTimeKind.Utc);

    private ulong _state = 0x9E37_79B9_7F4A_7C15;
    private long _index;

    /// <summary>Writes the next record into <paramref name="record"/> and its key into <paramref name="key"/>; returns the record's length.</summary>
    public int Next(Span<byte> record, Span<byte> key, out int keyLength)
    {
        var index = _index++;
        var customer = (long)(NextRandom() % 500);
        var terminal = (long)(NextRandom() % 1_000);
        var cents = 100 + (long)(NextRandom() % 99_901);
        var at = Put("{\"transaction_id\":"u8, record);
        at += Integer(index, record[at..]);
        at += Put(",\"timestamp\":\""u8, record[at..]);
        Origin.AddSeconds(index * SecondsApart).TryFormat(record[at..], out var written, "yyyy-MM-ddTHH:mm:ssZ");
        at += written;
        at += Put("\",\"customer_id\":"u8, record[at..]);
        at += Integer(customer, record[at..]);
        at += Put(",\"terminal_id\":"u8, record[at..]);
        at += Integer(terminal, record[at..]);
        at += Put(",\"amount\":"u8, record[at..]);
        at += Integer(cents / 100, record[at..]);
        record[at++] = (byte)'.';
        record[at++] = (byte)('0' + (cents / 10 % 10));
        record[at++] = (byte)('0' + (cents % 10));
        record[at++] = (byte)'}';
        keyLength = Integer(customer, key);
        return at;
    }

    /// <summary>splitmix64: enough spread for made-up amounts and ids.</summary>
    private ulong NextRandom()
    {
        var z = _state += 0x9E37_79B9_7F4A_7C15;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        return z ^ (z >> 31);
    }

    private static int Put(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    private static int Integer(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }
}
