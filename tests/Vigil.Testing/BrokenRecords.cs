using System.Text;

namespace Vigil.Testing;

/// <summary>
/// Records as careless and hostile producers write them to a transactions topic, each with the dead-letter code the
/// detector must give it (null: a transaction it decides). Every input boundary that reads records is tested with these.
/// </summary>
public static class BrokenRecords
{
    public static IReadOnlyList<(string Name, byte[] Value, string? Code)> All { get; } =
    [
        ("empty", [], "not_json"),
        ("a word", Utf8("garbage"), "not_json"),
        ("whitespace", Utf8("  \n "), "not_json"),
        ("null", Utf8("null"), "not_an_object"),
        ("an array", Utf8("[]"), "not_an_object"),
        ("a string", Utf8("\"amount\""), "not_an_object"),
        ("a number", Utf8("42"), "not_an_object"),
        ("an empty object", Utf8("{}"), "missing_amount"),
        ("amount null", Utf8("""{"amount":null}"""), "missing_amount"),
        ("amount as text", Utf8("""{"amount":"12"}"""), "amount_wrong_type"),
        ("amount true", Utf8("""{"amount":true}"""), "amount_wrong_type"),
        ("amount an object", Utf8("""{"amount":{"value":1}}"""), "amount_wrong_type"),
        ("amount negative", Utf8("""{"amount":-1}"""), "amount_negative"),
        ("amount overflowing a double", Utf8("""{"amount":1e400}"""), "amount_not_finite"),
        ("amount over the limit", Utf8("""{"amount":1.7e308}"""), "amount_too_large"),
        ("amount NaN as text", Utf8("""{"amount":"NaN"}"""), "amount_not_finite"),
        ("amount twice", Utf8("""{"amount":1,"amount":2}"""), "duplicate_field"),
        ("timestamp a word", Utf8("""{"amount":1,"timestamp":"yesterday"}"""), "bad_timestamp"),
        ("timestamp negative", Utf8("""{"amount":1,"timestamp":-1}"""), "bad_timestamp"),
        ("timestamp true", Utf8("""{"amount":1,"timestamp":true}"""), "bad_timestamp"),
        ("timestamp 30 February", Utf8("""{"amount":1,"timestamp":"2018-02-30T00:00:00Z"}"""), "bad_timestamp"),
        ("customer an array", Utf8("""{"amount":1,"customer_id":[1]}"""), "field_wrong_type"),
        ("currency a number", Utf8("""{"amount":1,"currency":1}"""), "field_wrong_type"),
        ("features text", Utf8("""{"amount":1,"features":"x"}"""), "field_wrong_type"),
        ("trailing garbage", Utf8("""{"amount":1} x"""), "not_json"),
        ("two objects", Utf8("""{"amount":1}{"amount":2}"""), "not_json"),
        ("truncated", Utf8("""{"amount":1"""), "not_json"),
        ("a leading zero", Utf8("""{"amount":01}"""), "not_json"),
        ("a trailing comma", Utf8("""{"amount":1,}"""), "not_json"),
        ("single quotes", Utf8("{'amount':1}"), "not_json"),
        ("a comment", Utf8("""{"amount":1 /* hi */}"""), "not_json"),
        ("a raw control character in a string", Utf8("{\"amount\":1,\"customer_id\":\"a\u0001b\"}"), "not_json"),
        ("NaN unquoted", Utf8("""{"amount":NaN}"""), "not_json"),
        ("arrays 10,000 deep", Utf8(new string('[', 10_000) + new string(']', 10_000)), "not_an_object"),
        ("an unknown field 100 objects deep", Utf8("""{"amount":1,"x":""" + new string('[', 100) + new string(']', 100) + "}"), "not_json"),
        ("not UTF-8", [.. Utf8("""{"amount":1,"customer_id":"a"""), 0xFF, 0xFE, .. Utf8("\"}")], "not_utf8"),
        ("UTF-16", Encoding.Unicode.GetBytes("""{"amount":1}"""), "not_json"),
        ("a byte-order mark", [0xEF, 0xBB, 0xBF, .. Utf8("""{"amount":1}""")], "not_json"),
        ("over the size limit", Utf8("{\"amount\":1,\"pad\":\"" + new string('x', 1 << 20) + "\"}"), "too_large"),
        ("an escaped NUL in an id", Utf8("""{"amount":1,"customer_id":"a\u0000b"}"""), null),
        ("a lone surrogate escape", Utf8("""{"amount":1,"customer_id":"\ud800"}"""), null),
        ("amount zero", Utf8("""{"amount":0}"""), null),
        ("amount underflowing to zero", Utf8("""{"amount":1e-400}"""), null),
        ("a record decided before", Utf8("""{"amount":1,"vigil":{"fraud":false,"score":0}}"""), null),
        ("an id of 1e999", Utf8("""{"amount":1,"transaction_id":1e999}"""), null),
    ];

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
