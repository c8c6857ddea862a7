using System.Security.Cryptography;
using System.Text;

namespace Vigil.Web.Security;

/// <summary>
/// The API keys a server accepts, each with its role, kept only as SHA-256 hashes. A presented key is hashed and
/// compared with every known hash in constant time, so neither the answer's timing nor its content says how close a
/// guess came.
/// </summary>
public sealed class ApiKeys
{
    /// <summary>Shorter keys are refused: a key is a secret, not a password a person types.</summary>
    public const int MinKeyLength = 16;

    private const string HashPrefix = "sha256:";

    private readonly (ApiRole Role, byte[] Hash)[] _keys;

    private ApiKeys((ApiRole Role, byte[] Hash)[] keys) => _keys = keys;

    public static ApiKeys None { get; } = new([]);

    public bool IsEmpty => _keys.Length == 0;

    public int Count => _keys.Length;

    /// <summary>Reads <c>role=key[,role=key…]</c> (<c>VIGIL_API_KEYS</c>, <c>Security:ApiKeys</c>).</summary>
    /// <param name="origin">Where the list came from, for errors; the keys themselves are never repeated.</param>
    /// <exception cref="FormatException">An entry without a role, an unknown role, or a key too short.</exception>
    public static ApiKeys Parse(string list, string origin)
    {
        ArgumentNullException.ThrowIfNull(list);
        var keys = new List<(ApiRole, byte[])>();
        var entry = 0;
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            entry++;
            var (role, key) = Entry(part, '=', $"{origin}, entry {entry}");
            if (key.Length < MinKeyLength)
            {
                throw new FormatException($"{origin}, entry {entry} ({role.ToString().ToLowerInvariant()}): the key has {key.Length} characters; use at least {MinKeyLength} (for example: openssl rand -hex 24)");
            }

            keys.Add((role, Hash(key)));
        }

        return new([.. keys]);
    }

    /// <summary>
    /// Reads a file of hashed keys, one <c>role sha256:HEX</c> a line (<c>#</c> starts a comment), as
    /// <c>vigil keys new</c> prints them: the file holds no usable secret.
    /// </summary>
    /// <exception cref="FormatException">A line that is not a role and a SHA-256 hash.</exception>
    public static ApiKeys ParseHashed(IEnumerable<string> lines, string origin)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var keys = new List<(ApiRole, byte[])>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Split('#', 2)[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var (role, hash) = Entry(line.Replace('\t', ' '), ' ', $"{origin}, line {number}");
            hash = hash.Trim();
            byte[] bytes;
            try
            {
                bytes = hash.StartsWith(HashPrefix, StringComparison.Ordinal) ? Convert.FromHexString(hash[HashPrefix.Length..]) : [];
            }
            catch (FormatException)
            {
                bytes = [];
            }

            if (bytes.Length != SHA256.HashSizeInBytes)
            {
                throw new FormatException($"{origin}, line {number}: expected a role and sha256:<64 hex digits>, as vigil keys new prints");
            }

            keys.Add((role, bytes));
        }

        return new([.. keys]);
    }

    /// <summary>The line a hashed-keys file holds for a key.</summary>
    public static string HashedLine(ApiRole role, string key) => $"{role.ToString().ToLowerInvariant()} {HashPrefix}{Convert.ToHexStringLower(Hash(key))}";

    /// <summary>Both sets of keys.</summary>
    public ApiKeys With(ApiKeys other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new([.. _keys, .. other._keys]);
    }

    /// <summary>The role of the presented key, or null when no key matches. Every known key is compared, whatever matched.</summary>
    public ApiRole? Authenticate(ReadOnlySpan<char> presented)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var count = Encoding.UTF8.GetByteCount(presented);
        Span<byte> bytes = count <= 512 ? stackalloc byte[512] : new byte[count];
        var length = Encoding.UTF8.GetBytes(presented, bytes);
        SHA256.HashData(bytes[..length], hash);
        ApiRole? found = null;
        foreach (var (role, known) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, known))
            {
                found ??= role;
            }
        }

        return found;
    }

    public static ApiRole ParseRole(string text, string where) => text.Trim().ToLowerInvariant() switch
    {
        "score" => ApiRole.Score,
        "view" => ApiRole.View,
        "admin" => ApiRole.Admin,
        // A long "role" may be a key written first by mistake: it is not repeated.
        _ => throw new FormatException($"{where}: unknown role{(text.Trim().Length < MinKeyLength ? $" '{text.Trim()}'" : string.Empty)}; the roles are score, view and admin"),
    };

    private static (ApiRole Role, string Value) Entry(string text, char separator, string where)
    {
        var at = text.IndexOf(separator, StringComparison.Ordinal);
        if (at <= 0)
        {
            throw new FormatException($"{where}: expected role{separator}{(separator == '=' ? "key" : "sha256:…")} (roles: score, view, admin)");
        }

        return (ParseRole(text[..at], where), text[(at + 1)..].Trim());
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
