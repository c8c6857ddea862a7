using System.Security.Cryptography;
using System.Text;

namespace Vigil.Runtime.Rules;

/// <summary>
/// The signature of a rules document on the control topic: HMAC-SHA256 of its exact bytes with a key shared by the
/// publisher and the detectors, in the record header <see cref="Header"/> as <c>hmac-sha256:HEX</c>. Whoever can
/// write to the topic without the key cannot change what the detectors decide with.
/// </summary>
public sealed class RuleSignature
{
    public const string Header = "vigil-signature";

    /// <summary>Shorter keys are refused: a shared secret, not a password a person types.</summary>
    public const int MinKeyLength = 16;

    private const string Prefix = "hmac-sha256:";

    private readonly byte[] _key;

    /// <exception cref="ArgumentException">The key is shorter than <see cref="MinKeyLength"/>.</exception>
    public RuleSignature(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < MinKeyLength)
        {
            throw new ArgumentException($"the rules signing key has {key.Length} characters; use at least {MinKeyLength} (for example: openssl rand -hex 32)", nameof(key));
        }

        _key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>The header value for a document.</summary>
    public string Sign(ReadOnlySpan<byte> document) => Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(_key, document));

    /// <summary>Why a document's signature does not verify (none, malformed, or not this key's for these bytes), or null when it does.</summary>
    public string? Refuses(ReadOnlySpan<byte> document, string? signature)
    {
        if (signature is null)
        {
            return $"it is not signed (no {Header} header): publish it with vigil rules publish and the rules key";
        }

        byte[] presented;
        try
        {
            presented = signature.StartsWith(Prefix, StringComparison.Ordinal) ? Convert.FromHexString(signature.AsSpan(Prefix.Length)) : [];
        }
        catch (FormatException)
        {
            presented = [];
        }

        if (presented.Length != HMACSHA256.HashSizeInBytes)
        {
            return $"its {Header} header is not {Prefix}<64 hex digits>";
        }

        return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, document), presented)
            ? null
            : "its signature does not verify with the rules key (altered after signing, or signed with another key)";
    }
}
