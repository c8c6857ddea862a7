using System.Text.RegularExpressions;
using Vigil.Web.Security;

namespace Vigil.Cli.Tests.Commands;

public class KeysCommandTests
{
    [Fact]
    public async Task Keys_new_prints_a_fresh_key_once_with_the_entries_that_give_it_to_a_server()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(["keys", "new", "view"]);
        var (_, second, _) = await CliRunner.RunAsync(["keys", "new", "view"]);

        Assert.True(exitCode == 0, error);
        var key = Regex.Match(output, @"key \(shown once; give it to the client\): ([0-9a-f]{48})").Groups[1].Value;
        Assert.Equal(48, key.Length);
        Assert.DoesNotContain(key, second, StringComparison.Ordinal);
        Assert.Contains($"VIGIL_API_KEYS entry:                   view={key}", output, StringComparison.Ordinal);
        var hashed = Regex.Match(output, @"--api-keys-file line \(no secret in it\): (view sha256:[0-9a-f]{64})").Groups[1].Value;
        Assert.DoesNotContain(key, hashed, StringComparison.Ordinal);
        Assert.Equal(ApiRole.View, ApiKeys.ParseHashed([hashed], "out").Authenticate(key));
        Assert.Equal(ApiRole.View, ApiKeys.Parse($"view={key}", "out").Authenticate(key));
    }

    [Fact]
    public async Task An_unknown_role_is_one_line_and_exit_2()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["keys", "new", "root"]);

        Assert.Equal(2, exitCode);
        Assert.Equal("vigil: ROLE: unknown role 'root'; the roles are score, view, analyst and admin", error.TrimEnd('\n'));
    }

    [Fact]
    public async Task An_analyst_s_key_carries_her_name_for_the_audit_trail()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(["keys", "new", "analyst", "--name", "alice"]);
        var (refused, _, why) = await CliRunner.RunAsync(["keys", "new", "analyst", "--name", "al ice"]);

        Assert.True(exitCode == 0, error);
        var key = Regex.Match(output, @"VIGIL_API_KEYS entry:\s+analyst:alice=([0-9a-f]{48})").Groups[1].Value;
        var hashed = Regex.Match(output, @"--api-keys-file line \(no secret in it\): (analyst:alice sha256:[0-9a-f]{64})").Groups[1].Value;
        Assert.Equal(new ApiIdentity(ApiRole.Analyst, "alice"), ApiKeys.ParseHashed([hashed], "out").Identify(key));
        Assert.Equal(2, refused);
        Assert.StartsWith("vigil: ROLE --name: a key's name is 1 to 64 letters", why, StringComparison.Ordinal);
    }
}
