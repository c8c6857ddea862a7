using System.Text;
using Vigil.Runtime.Rules;

namespace Vigil.Runtime.Tests.Rules;

public class RuleSignatureTests
{
    private static readonly byte[] Document = Encoding.UTF8.GetBytes("version: v1\nrules:\n  - name: big\n    expression: amount > 100\n");
    private readonly RuleSignature _signature = new("rules-key-0123456789abcdef");

    [Fact]
    public void A_document_signed_with_the_key_verifies()
    {
        var header = _signature.Sign(Document);

        Assert.Matches("^hmac-sha256:[0-9a-f]{64}$", header);
        Assert.Null(_signature.Refuses(Document, header));
    }

    [Theory]
    [InlineData(null, "it is not signed")]
    [InlineData("", "is not hmac-sha256:<64 hex digits>")]
    [InlineData("hmac-sha256:zz", "is not hmac-sha256:<64 hex digits>")]
    [InlineData("sha256:0000000000000000000000000000000000000000000000000000000000000000", "is not hmac-sha256:<64 hex digits>")]
    [InlineData("hmac-sha256:0000000000000000000000000000000000000000000000000000000000000000", "does not verify")]
    public void An_unsigned_or_malformed_signature_is_refused_with_the_reason(string? header, string reason)
    {
        Assert.Contains(reason, _signature.Refuses(Document, header), StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_altered_after_signing_or_signed_with_another_key_is_refused()
    {
        var header = _signature.Sign(Document);
        var altered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Document).Replace("100", "1e12", StringComparison.Ordinal));
        var otherKey = new RuleSignature("another-key-0123456789abcdef").Sign(Document);

        Assert.Contains("does not verify", _signature.Refuses(altered, header), StringComparison.Ordinal);
        Assert.Contains("does not verify", _signature.Refuses(Document, otherKey), StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_key_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new RuleSignature("short"));
    }
}
