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
        var lines = new[] { "# operators", ApiKeys.HashedLine(new(ApiRole.View, null), Key), "", "   " + ApiKeys.HashedLine(new(ApiRole.Score, null), Key + "s") + "  # the gateway" };

        var keys = ApiKeys.ParseHashed(lines, "keys.txt");

        Assert.Equal(ApiRole.View, keys.Authenticate(Key));
        Assert.Equal(ApiRole.Score, keys.Authenticate(Key + "s"));
        Assert.DoesNotContain(lines, l => l.Contains(Key, StringComparison.Ordinal));
        Assert.Equal(ApiRole.View, ApiKeys.Parse($"score={Key}s", "env").With(keys).Authenticate(Key));
    }

    [Fact]
    public void A_key_may_carry_the_name_of_who_holds_it_in_the_list_and_in_the_hashed_file()
    {
        var keys = ApiKeys.Parse($"analyst:alice={Key}a, analyst={Key}n", "VIGIL_API_KEYS")
            .With(ApiKeys.ParseHashed([ApiKeys.HashedLine(new(ApiRole.Analyst, "bob.smith@bank"), Key + "b")], "keys.txt"));

        Assert.Equal(new ApiIdentity(ApiRole.Analyst, "alice"), keys.Identify(Key + "a"));
        Assert.Equal(new ApiIdentity(ApiRole.Analyst, "bob.smith@bank"), keys.Identify(Key + "b"));
        Assert.Equal(("alice", "analyst key", "bob.smith@bank"), (keys.Identify(Key + "a")!.Value.Actor, keys.Identify(Key + "n")!.Value.Actor, keys.Identify(Key + "b")!.Value.Actor));
        Assert.StartsWith("analyst:bob.smith@bank sha256:", ApiKeys.HashedLine(new(ApiRole.Analyst, "bob.smith@bank"), Key), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("view", "keys.txt, line 1: expected role[:name] sha256:…")]
    [InlineData("analyst:al/ice sha256:0000000000000000000000000000000000000000000000000000000000000000", "keys.txt, line 1: a key's name is 1 to 64 letters")]
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
    [InlineData("=key-0123456789abcdef", "expected role[:name]=key")]
    [InlineData("view=", "the key has 0 characters")]
    [InlineData("view", "expected role[:name]=key")]
    [InlineData("analyst:=key-0123456789abcdef", "a key's name is 1 to 64 letters, digits, '.', '_', '-' or '@' (role:name)")]
    [InlineData("analyst:<script>=key-0123456789abcdef", "a key's name is 1 to 64 letters")]
    [InlineData("viewer=key-0123456789abcdef", "unknown role 'viewer'")]
    [InlineData("key-0123456789abcdef=view", "unknown role; the roles are score, view, analyst and admin")]
    public void A_broken_entry_of_the_list_is_refused_without_repeating_the_key(string list, string message)
    {
        var refused = Assert.Throws<FormatException>(() => ApiKeys.Parse(list, "VIGIL_API_KEYS"));

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("key-0123456789abcdef", refused.Message, StringComparison.Ordinal);
    }
}
