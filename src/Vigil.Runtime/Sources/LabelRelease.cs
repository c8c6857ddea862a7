using System.Text.Json;
using Vigil.Labels;
using Vigil.Transactions;

namespace Vigil.Runtime.Sources;

/// <summary>Holds each transaction's label until its report time, a fixed delay of event time after the transaction.</summary>
/// <remarks>
/// Fraud is reported days after it happens; a detector that saw labels any sooner would be judged on knowledge it
/// cannot have. Transactions arrive in event-time order and the delay is fixed, so labels fall due in the order they
/// came: a FIFO of bytes, bounded by the delay times the rate. A released label gains
/// <c>"reported_at":"…"</c>, its report time.
/// </remarks>
public sealed class LabelRelease(TimeSpan delay)
{
    private static readonly byte[] ReportedAt = ",\"reported_at\":\""u8.ToArray();
    private static readonly byte[] ConfirmedBy = ",\"confirmed_by\":"u8.ToArray();

    /// <summary>Most confirmations remembered; past it, a report may count a fraud an analyst counted already.</summary>
    private const int MaxConfirmed = 1_000_000;

    private readonly long _delayMs = (long)delay.TotalMilliseconds;
    private readonly Queue<(long ReleaseMs, int KeyLength, int LabelLength)> _held = new();
    private readonly Dictionary<long, byte[]> _confirmed = [];
    private byte[] _bytes = new byte[1 << 16];
    private byte[] _scratch = new byte[1024];
    private int _head;
    private int _tail;

    public TimeSpan Delay => delay;

    /// <summary>Labels held, not yet released.</summary>
    public int Pending => _held.Count;

    public long Released { get; private set; }

    /// <summary>Holds the label of a transaction made at <paramref name="transactionTimeMs"/>.</summary>
    public void Hold(long transactionTimeMs, ReadOnlySpan<byte> key, ReadOnlySpan<byte> label)
    {
        var room = Room(key.Length + label.Length);
        key.CopyTo(room);
        label.CopyTo(room[key.Length..]);
        _tail += key.Length + label.Length;
        _held.Enqueue((transactionTimeMs + _delayMs, key.Length, label.Length));
    }

    /// <summary>
    /// An analyst confirmed the transaction (its id as a join key) as fraud, and the features counted it then: its
    /// report, when released, says so (<c>"confirmed_by": "alice"</c>), so that the features do not count it twice.
    /// </summary>
    public void Confirm(long transactionKey, string analyst)
    {
        ArgumentNullException.ThrowIfNull(analyst);
        if (_confirmed.Count < MaxConfirmed)
        {
            _confirmed[transactionKey] = JsonEncodedText.Encode(analyst).EncodedUtf8Bytes.ToArray();
        }
    }

    /// <summary>Writes every label whose report time has come by <paramref name="eventTimeMs"/>.</summary>
    public void ReleaseDue(long eventTimeMs, IRecordWriter labels)
    {
        while (_held.TryPeek(out var next) && next.ReleaseMs <= eventTimeMs)
        {
            Release(labels);
        }
    }

    /// <summary>Writes every label held: the stream has ended, so no later decision can profit from them.</summary>
    public void ReleaseAll(IRecordWriter labels)
    {
        while (_held.Count > 0)
        {
            Release(labels);
        }
    }

    private void Release(IRecordWriter labels)
    {
        var (releaseMs, keyLength, labelLength) = _held.Dequeue();
        var key = _bytes.AsSpan(_head, keyLength);
        var label = _bytes.AsSpan(_head + keyLength, labelLength);
        _head += keyLength + labelLength;
        if (_scratch.Length < labelLength + ReportedAt.Length + Iso8601.MaxLength + 2)
        {
            _scratch = new byte[(labelLength + 64) * 2];
        }

        // {...} becomes {...,"reported_at":"2018-04-08T00:00:31Z"}
        var closing = label.LastIndexOf((byte)'}');
        label[..closing].CopyTo(_scratch);
        var at = closing;
        ReportedAt.CopyTo(_scratch.AsSpan(at));
        at += ReportedAt.Length;
        at += Iso8601.Write(releaseMs, _scratch.AsSpan(at));
        _scratch[at++] = (byte)'"';
        if (_confirmed.Count > 0 && LabelDecoder.TryDecode(label, out var decoded, out _) && _confirmed.Remove(decoded.TransactionKey, out var analyst) && decoded.IsFraud)
        {
            if (_scratch.Length < at + ConfirmedBy.Length + analyst.Length + 3)
            {
                Array.Resize(ref _scratch, (at + ConfirmedBy.Length + analyst.Length + 3) * 2);
            }

            ConfirmedBy.CopyTo(_scratch.AsSpan(at));
            at += ConfirmedBy.Length;
            _scratch[at++] = (byte)'"';
            analyst.CopyTo(_scratch.AsSpan(at));
            at += analyst.Length;
            _scratch[at++] = (byte)'"';
        }

        _scratch[at++] = (byte)'}';
        labels.Write(key, _scratch.AsSpan(0, at));
        Released++;
        if (_held.Count == 0)
        {
            _head = _tail = 0;
        }
    }

    private Span<byte> Room(int bytes)
    {
        if (_tail + bytes > _bytes.Length)
        {
            var used = _tail - _head;
            var target = used + bytes > _bytes.Length / 2 ? Math.Max(_bytes.Length * 2, used + bytes) : _bytes.Length;
            var bigger = target == _bytes.Length ? _bytes : new byte[target];
            _bytes.AsSpan(_head, used).CopyTo(bigger);
            _bytes = bigger;
            _head = 0;
            _tail = used;
        }

        return _bytes.AsSpan(_tail, bytes);
    }
}
