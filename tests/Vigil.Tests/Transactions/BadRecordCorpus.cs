using System.Text;
using Vigil.Transactions;

namespace Vigil.Tests.Transactions;

/// <summary>Records that must never decode, each with the reason it must be rejected for.</summary>
public static class BadRecordCorpus
{
    public static TheoryData<string, byte[], DecodeError> All()
    {
        var data = new TheoryData<string, byte[], DecodeError>();
        void Add(string name, string text, DecodeError error) => data.Add(name, Encoding.UTF8.GetBytes(text), error);

        Add("empty", "", DecodeError.NotJson);
        Add("only whitespace", "   \n", DecodeError.NotJson);
        Add("plain text", "not json at all", DecodeError.NotJson);
        Add("unterminated object", "{\"amount\": 5", DecodeError.NotJson);
        Add("lone brace", "{", DecodeError.NotJson);
        Add("extra closing brace", "{\"amount\": 5}}", DecodeError.NotJson);
        Add("two objects", "{\"amount\": 5} {\"amount\": 6}", DecodeError.NotJson);
        Add("trailing comma", "{\"amount\": 5,}", DecodeError.NotJson);
        Add("single quotes", "{'amount': 5}", DecodeError.NotJson);
        Add("comment", "{\"amount\": 5} // note", DecodeError.NotJson);
        Add("hex number", "{\"amount\": 0x10}", DecodeError.NotJson);
        Add("leading zero", "{\"amount\": 05}", DecodeError.NotJson);
        Add("bare NaN", "{\"amount\": NaN}", DecodeError.NotJson);
        Add("bare Infinity", "{\"amount\": Infinity}", DecodeError.NotJson);
        Add("raw newline in string", "{\"amount\": 5, \"source\": \"a\nb\"}", DecodeError.NotJson);
        Add("nesting too deep", "{\"amount\": 5, \"x\": " + new string('[', 100) + new string(']', 100) + "}", DecodeError.NotJson);
        Add("array", "[1, 2]", DecodeError.NotAnObject);
        Add("string", "\"text\"", DecodeError.NotAnObject);
        Add("number", "42", DecodeError.NotAnObject);
        Add("null", "null", DecodeError.NotAnObject);
        Add("empty object", "{}", DecodeError.MissingAmount);
        Add("seed message without amount", "{\"source\":\"a\",\"target\":\"b\",\"currency\":\"EUR\"}", DecodeError.MissingAmount);
        Add("null amount", "{\"amount\": null}", DecodeError.MissingAmount);
        Add("negative amount", "{\"amount\": -1}", DecodeError.AmountNegative);
        Add("negative cent", "{\"amount\": -0.01}", DecodeError.AmountNegative);
        Add("escaped name, negative amount", "{\"amou\\u006et\": -5}", DecodeError.AmountNegative);
        Add("amount as string", "{\"amount\": \"12.5\"}", DecodeError.AmountWrongType);
        Add("amount as true", "{\"amount\": true}", DecodeError.AmountWrongType);
        Add("amount as array", "{\"amount\": [5]}", DecodeError.AmountWrongType);
        Add("amount as object", "{\"amount\": {\"value\": 5}}", DecodeError.AmountWrongType);
        Add("amount NaN string", "{\"amount\": \"NaN\"}", DecodeError.AmountNotFinite);
        Add("amount Infinity string", "{\"amount\": \"Infinity\"}", DecodeError.AmountNotFinite);
        Add("amount overflows", "{\"amount\": 1e400}", DecodeError.AmountNotFinite);
        Add("duplicate amount", "{\"amount\": 5, \"amount\": 6}", DecodeError.DuplicateField);
        Add("duplicate source", "{\"source\": \"a\", \"amount\": 5, \"source\": \"b\"}", DecodeError.DuplicateField);
        Add("customer as object", "{\"amount\": 5, \"customer_id\": {\"x\": 1}}", DecodeError.FieldWrongType);
        Add("terminal as array", "{\"amount\": 5, \"terminal_id\": [1]}", DecodeError.FieldWrongType);
        Add("source as boolean", "{\"amount\": 5, \"source\": true}", DecodeError.FieldWrongType);
        Add("currency as number", "{\"amount\": 5, \"currency\": 978}", DecodeError.FieldWrongType);
        Add("timestamp words", "{\"amount\": 5, \"timestamp\": \"yesterday\"}", DecodeError.BadTimestamp);
        Add("timestamp month 13", "{\"amount\": 5, \"timestamp\": \"2018-13-01T00:00:00Z\"}", DecodeError.BadTimestamp);
        Add("timestamp 30 February", "{\"amount\": 5, \"timestamp\": \"2018-02-30\"}", DecodeError.BadTimestamp);
        Add("timestamp negative", "{\"amount\": 5, \"timestamp\": -5}", DecodeError.BadTimestamp);
        Add("timestamp fractional", "{\"amount\": 5, \"timestamp\": 1.5}", DecodeError.BadTimestamp);
        Add("timestamp boolean", "{\"amount\": 5, \"timestamp\": true}", DecodeError.BadTimestamp);

        data.Add("invalid UTF-8", [.. "{\"amount\":5,\"source\":\""u8, 0xFF, 0xFE, .. "\"}"u8], DecodeError.NotUtf8);
        data.Add("binary", [0x00, 0x01, 0x02, 0x7B], DecodeError.NotJson);
        data.Add("over one MiB", OverOneMebibyte(), DecodeError.TooLarge);
        return data;
    }

    /// <summary>A valid transaction padded past the 1 MiB limit.</summary>
    public static byte[] OverOneMebibyte()
    {
        var padding = new string('x', TransactionDecoder.DefaultMaxRecordBytes);
        return Encoding.UTF8.GetBytes($"{{\"amount\": 5, \"padding\": \"{padding}\"}}");
    }
}
