using System.Text.Encodings.Web;
using System.Text.Json;

namespace Vigil.Rules;

/// <summary>Escapes text for a JSON string; keeps <c>&gt;</c> and non-ASCII readable, since outputs are never HTML.</summary>
internal static class JsonText
{
    public static ReadOnlySpan<byte> Escape(string text) =>
        JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes;
}
