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
        Assert.Equal("vigil: ROLE: unknown role 'root'; the roles are score, view and admin", error.TrimEnd('\n'));
    }
}
