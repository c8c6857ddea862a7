using Vigil.Cli.Tests.Commands;

namespace Vigil.Cli.Tests.Configuration;

/// <summary>Secrets come from files and the environment; one given as a flag anyway is warned about and never printed.</summary>
public sealed class SecretsTests() : TempDirectoryTest("vigil-secrets-")
{
    [Fact]
    public async Task A_client_properties_file_reaches_librdkafka_and_the_flag_overrides_it()
    {
        var properties = Write("client.properties", "# as kcat -F reads\n! another comment\n\nno.such.setting = 1\nsasl.password=hunter2-in-a-file\n");

        var (exitCode, _, error) = await CliRunner.RunAsync(
            ["demo", "--kafka", "mock", "--no-dashboard", "--count", "10", "--kafka-config-file", properties]);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("vigil: invalid Kafka setting:", error, StringComparison.Ordinal);
        Assert.Contains("no.such.setting", error, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", error, StringComparison.Ordinal); // a secret in a file is where it belongs
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sasl.password hunter2\n", "line 1: expected KEY=VALUE")]
    [InlineData("=hunter2\n", "line 1: expected KEY=VALUE")]
    public async Task A_properties_line_that_is_not_a_setting_is_one_line_that_does_not_repeat_it(string content, string message)
    {
        var properties = Write("client.properties", content);

        var (exitCode, _, error) = await CliRunner.RunAsync(["detect", "--kafka", "127.0.0.1:1", "--kafka-config-file", properties]);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_properties_file_is_one_line_and_exit_2()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["detect", "--kafka", "127.0.0.1:1", "--kafka-config-file", Path.Combine(Directory, "none.properties")]);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("vigil: --kafka-config-file: cannot read", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_given_as_flags_are_warned_about_and_never_printed()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(
        [
            "demo", "--kafka", "mock", "--no-dashboard", "--count", "10", "--webhook", "http://127.0.0.1:1/hook", "--webhook-secret", "hunter2-webhook",
            "--kafka-config", "sasl.password=hunter2-kafka", "--kafka-config", "no.such.setting=1",
        ]);

        Assert.Equal(1, exitCode);
        Assert.Contains("vigil: warning: --webhook-secret on the command line is visible to every user of this machine", error, StringComparison.Ordinal);
        Assert.Contains("vigil: warning: --kafka-config sasl.password on the command line is visible", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_secrets_from_the_environment_bring_no_warning()
    {
        var environment = new System.Collections.Hashtable { ["WEBHOOK_SECRET"] = "hunter2-webhook", ["VIGIL_Kafka__sasl.password"] = "hunter2-kafka" };

        var (exitCode, output, error) = await CliRunner.RunAsync(
            ["demo", "--kafka", "mock", "--no-dashboard", "--count", "10", "--webhook", "http://127.0.0.1:1/hook", "--kafka-config", "no.such.setting=1"], environment);

        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("warning", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", output + error, StringComparison.Ordinal);
    }
}
