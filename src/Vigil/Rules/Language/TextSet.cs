using System.Collections.Frozen;
using System.Text;

namespace Vigil.Rules.Language;

/// <summary>A set of texts looked up by UTF-8 bytes without allocating (for ids of up to 256 characters).</summary>
public sealed class TextSet
{
    private const int StackChars = 256;

    private readonly FrozenSet<string> _items;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public TextSet(IEnumerable<string> items)
    {
        _items = items.ToFrozenSet(StringComparer.Ordinal);
        _lookup = _items.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _items.Count;

    public bool Contains(string text) => _items.Contains(text);

    public bool Contains(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > StackChars)
        {
            return _items.Contains(Encoding.UTF8.GetString(utf8));
        }

        Span<char> chars = stackalloc char[StackChars];
        return Encoding.UTF8.TryGetChars(utf8, chars, out var written) && _lookup.Contains(chars[..written]);
    }
}
