using Vigil.Web.Security;

namespace Vigil.Web.Tests.Security;

public class ApiKeysTests
{
    private const string Key = "key-0123456789abcdef";

    [Fact]
    public void A_list_gives_each_key_its_role_and_nothing_else_matches()
    {
        var keys = ApiKeys.Parse($" score={Key}1 ,, VIEW={Key}2,admin = {Key}3 ", "VIGIL_API_KEYS");

        Assert.Equal(3, keys.Count);
        Assert.Equal(ApiRole.Score, keys.Authenticate(Key + "1"));
        Assert.Equal(ApiRole.View, keys.Authenticate(Key + "2"));
        Assert.Equal(ApiRole.Admin, keys.Authenticate(Key + "3"));
        Assert.Null(keys.Authenticate(Key));
        Assert.Null(keys.Authenticate(string.Empty));
        Assert.Null(keys.Authenticate(new string('k', 100_000)));
    }

    [Fact]
    public void A_hashed_file_checks_the_same_keys_without_holding_them()
    {
        var lines = new[] { "# operators", ApiKeys.HashedLine(ApiRole.View, Key), "", "   " + ApiKeys.HashedLine(ApiRole.Score, Key + "s") + "  # the gateway" };

        var keys = ApiKeys.ParseHashed(lines, "keys.txt");

        Assert.Equal(ApiRole.View, keys.Authenticate(Key));
        Assert.Equal(ApiRole.Score, keys.Authenticate(Key + "s"));
        Assert.DoesNotContain(lines, l => l.Contains(Key, StringComparison.Ordinal));
        Assert.Equal(ApiRole.View, ApiKeys.Parse($"score={Key}s", "env").With(keys).Authenticate(Key));
    }

    [Theory]
    [InlineData("view", "keys.txt, line 1: expected role sha256:…")]
    [InlineData("view sha256:", "keys.txt, line 1: expected a role and sha256:<64 hex digits>")]
    [InlineData("view sha256:zz", "keys.txt, line 1: expected a role and sha256:<64 hex digits>")]
    [InlineData("view md5:00112233445566778899aabbccddeeff", "keys.txt, line 1: expected a role and sha256:<64 hex digits>")]
    [InlineData("view view-key-in-clear-0123456789", "keys.txt, line 1: expected a role and sha256:<64 hex digits>")]
    [InlineData("root sha256:0000000000000000000000000000000000000000000000000000000000000000", "keys.txt, line 1: unknown role 'root'")]
    public void A_broken_line_of_the_hashed_file_is_refused_with_its_line(string line, string message)
    {
        var refused = Assert.Throws<FormatException>(() => ApiKeys.ParseHashed([line], "keys.txt"));

        Assert.StartsWith(message, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("view-key-in-clear", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("=key-0123456789abcdef", "expected role=key")]
    [InlineData("view=", "the key has 0 characters")]
    [InlineData("view", "expected role=key")]
    [InlineData("viewer=key-0123456789abcdef", "unknown role 'viewer'")]
    [InlineData("key-0123456789abcdef=view", "unknown role; the roles are score, view and admin")]
    public void A_broken_entry_of_the_list_is_refused_without_repeating_the_key(string list, string message)
    {
        var refused = Assert.Throws<FormatException>(() => ApiKeys.Parse(list, "VIGIL_API_KEYS"));

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("key-0123456789abcdef", refused.Message, StringComparison.Ordinal);
    }
}
