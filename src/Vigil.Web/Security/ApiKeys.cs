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

    /// <summary>Longest name a key may carry.</summary>
    public const int MaxNameLength = 64;

    private readonly (ApiIdentity Identity, byte[] Hash)[] _keys;

    private ApiKeys((ApiIdentity Identity, byte[] Hash)[] keys) => _keys = keys;

    public static ApiKeys None { get; } = new([]);

    public bool IsEmpty => _keys.Length == 0;

    public int Count => _keys.Length;

    /// <summary>Reads <c>role[:name]=key[,…]</c> (<c>VIGIL_API_KEYS</c>, <c>Security:ApiKeys</c>); the name says who holds the key.</summary>
    /// <param name="origin">Where the list came from, for errors; the keys themselves are never repeated.</param>
    /// <exception cref="FormatException">An entry without a role, an unknown role, or a key too short.</exception>
    public static ApiKeys Parse(string list, string origin)
    {
        ArgumentNullException.ThrowIfNull(list);
        var keys = new List<(ApiIdentity, byte[])>();
        var entry = 0;
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            entry++;
            var (identity, key) = Entry(part, '=', $"{origin}, entry {entry}");
            if (key.Length < MinKeyLength)
            {
                throw new FormatException($"{origin}, entry {entry} ({ApiAccess.Name(identity.Role)}): the key has {key.Length} characters; use at least {MinKeyLength} (for example: openssl rand -hex 24)");
            }

            keys.Add((identity, Hash(key)));
        }

        return new([.. keys]);
    }

    /// <summary>
    /// Reads a file of hashed keys, one <c>role[:name] sha256:HEX</c> a line (<c>#</c> starts a comment), as
    /// <c>vigil keys new</c> prints them: the file holds no usable secret.
    /// </summary>
    /// <exception cref="FormatException">A line that is not a role and a SHA-256 hash.</exception>
    public static ApiKeys ParseHashed(IEnumerable<string> lines, string origin)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var keys = new List<(ApiIdentity, byte[])>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Split('#', 2)[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var (identity, hash) = Entry(line.Replace('\t', ' '), ' ', $"{origin}, line {number}");
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

            keys.Add((identity, bytes));
        }

        return new([.. keys]);
    }

    /// <summary>The line a hashed-keys file holds for a key.</summary>
    public static string HashedLine(ApiIdentity identity, string key) => $"{identity} {HashPrefix}{Convert.ToHexStringLower(Hash(key))}";

    /// <summary>Both sets of keys.</summary>
    public ApiKeys With(ApiKeys other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new([.. _keys, .. other._keys]);
    }

    /// <summary>The role of the presented key, or null when no key matches. Every known key is compared, whatever matched.</summary>
    public ApiRole? Authenticate(ReadOnlySpan<char> presented) => Identify(presented)?.Role;

    /// <summary>The role and name of the presented key, or null when no key matches. Every known key is compared, whatever matched.</summary>
    public ApiIdentity? Identify(ReadOnlySpan<char> presented)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var count = Encoding.UTF8.GetByteCount(presented);
        Span<byte> bytes = count <= 512 ? stackalloc byte[512] : new byte[count];
        var length = Encoding.UTF8.GetBytes(presented, bytes);
        SHA256.HashData(bytes[..length], hash);
        ApiIdentity? found = null;
        foreach (var (identity, known) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, known))
            {
                found ??= identity;
            }
        }

        return found;
    }

    public static ApiRole ParseRole(string text, string where) => text.Trim().ToLowerInvariant() switch
    {
        "score" => ApiRole.Score,
        "view" => ApiRole.View,
        "admin" => ApiRole.Admin,
        "analyst" => ApiRole.Analyst,
        // A long "role" may be a key written first by mistake: it is not repeated.
        _ => throw new FormatException($"{where}: unknown role{(text.Trim().Length < MinKeyLength ? $" '{text.Trim()}'" : string.Empty)}; the roles are score, view, analyst and admin"),
    };

    /// <summary>Reads <c>role</c> or <c>role:name</c>; a name is letters, digits, <c>.</c>, <c>_</c>, <c>-</c> and <c>@</c>, at most <see cref="MaxNameLength"/>.</summary>
    public static ApiIdentity ParseIdentity(string text, string where)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var role = ParseRole(colon < 0 ? text : text[..colon], where);
        if (colon < 0)
        {
            return new ApiIdentity(role, null);
        }

        var name = text[(colon + 1)..].Trim();
        if (name.Length is 0 or > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@'))
        {
            throw new FormatException($"{where}: a key's name is 1 to {MaxNameLength} letters, digits, '.', '_', '-' or '@' (role:name)");
        }

        return new ApiIdentity(role, name);
    }

    private static (ApiIdentity Identity, string Value) Entry(string text, char separator, string where)
    {
        var at = text.IndexOf(separator, StringComparison.Ordinal);
        if (at <= 0)
        {
            throw new FormatException($"{where}: expected role[:name]{separator}{(separator == '=' ? "key" : "sha256:…")} (roles: score, view, analyst, admin)");
        }

        return (ParseIdentity(text[..at], where), text[(at + 1)..].Trim());
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
