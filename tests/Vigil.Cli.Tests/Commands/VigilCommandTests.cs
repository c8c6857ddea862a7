using System.Collections;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Cli.Tests.Commands;

public class VigilCommandTests
{
    [Theory]
    [InlineData(new[] { "demo", "--bogus" }, "vigil: Unrecognized command or argument '--bogus' (see 'vigil demo --help')")]
    [InlineData(new[] { "demo", "--duraton", "5" }, "vigil: Unrecognized command or argument '--duraton'; did you mean --duration? (see 'vigil demo --help')")]
    [InlineData(new[] { "serve", "--prot", "5" }, "vigil: Unrecognized command or argument '--prot'; did you mean --port? (see 'vigil serve --help')")]
    [InlineData(new[] { "demo", "--rate" }, "vigil: Required argument missing for option: '--rate' (see 'vigil demo --help')")]
    [InlineData(new[] { "demo", "--rate", "abc" }, "vigil: invalid --rate 'abc': expected a positive number of transactions per second, or 'max'")]
    [InlineData(new[] { "demo", "--duration", "soon" }, "vigil: invalid --duration 'soon': expected a positive number of seconds")]
    [InlineData(new[] { "demo", "--port", "-1" }, "vigil: invalid --port '-1': expected a whole number from 0 to 65,535")]
    [InlineData(new[] { "demo", "--config", "/nonexistent/vigil.json" }, "vigil: config file /nonexistent/vigil.json not found")]
    [InlineData(new[] { "dmeo" }, "vigil: Unrecognized command or argument 'dmeo'; did you mean demo? (see 'vigil --help')")]
    [InlineData(new[] { "rules", "check" }, "vigil: Required argument missing for command: 'check' (see 'vigil rules check --help')")]
    [InlineData(new[] { "rules", "chek", "--help" }, "vigil: Unrecognized command or argument 'chek'; did you mean check? (see 'vigil rules --help')")]
    [InlineData(new string[0], "vigil: no command given; try 'vigil demo', or 'vigil --help' for the list")]
    public async Task A_wrong_command_line_prints_one_clear_line_and_exits_2(string[] args, string expected)
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Equal(expected, error.TrimEnd('\n'));
        Assert.Empty(output);
    }

    [Fact]
    public async Task A_wrong_environment_variable_prints_one_line_naming_it_and_exits_2()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["demo"], new Hashtable { ["TRANSACTIONS_PER_SECOND"] = "-3" });

        Assert.Equal(2, exitCode);
        Assert.Equal("vigil: invalid TRANSACTIONS_PER_SECOND '-3': expected a positive number of transactions per second, or 'max'\n", error);
    }

    [Fact]
    public async Task Version_says_which_librdkafka_the_kafka_commands_use()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync(["--version"]);

        Assert.Equal(0, exitCode);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\d+\.\d+\.\d+", lines[0]);
        Assert.Matches(@"^librdkafka 2\.16\.\d+ \(bundled", lines[1]);
    }

    [Fact]
    public async Task Help_explains_the_commands_and_every_demo_flag()
    {
        var (rootCode, root, _) = await CliRunner.RunAsync(["--help"]);
        var (demoCode, demo, _) = await CliRunner.RunAsync(["demo", "--help"]);

        Assert.Equal(0, rootCode);
        Assert.Contains("vigil COMMAND [options]", root, StringComparison.Ordinal);
        Assert.Contains("  demo        Simulate, detect and show fraud live", root, StringComparison.Ordinal);
        Assert.InRange(root.Split('\n').Length, 10, 30); // one line a command: the details are in each command's help
        Assert.All(root.Split('\n'), line => Assert.True(line.Length <= 110, line));
        Assert.Equal(0, demoCode);
        Assert.Contains("Examples:", demo, StringComparison.Ordinal);
        Assert.Contains("vigil demo --kafka mock", demo, StringComparison.Ordinal);
        Assert.All(demo.Split('\n'), line => Assert.True(line.Length <= 110, line)); // piped, the help keeps to 100 columns
        foreach (var flag in new[] { "--rate", "--duration", "--count", "--seed", "--out", "--threshold", "--partitions", "--port", "--host", "--no-dashboard", "--config", "TRANSACTIONS_PER_SECOND" })
        {
            Assert.Contains(flag, demo, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("rules", "check")]
    [InlineData("rules", "publish")]
    public async Task A_subcommands_help_needs_none_of_its_arguments(string command, string subcommand)
    {
        var (exitCode, help, error) = await CliRunner.RunAsync([command, subcommand, "--help"]);

        Assert.Equal(0, exitCode);
        Assert.Contains($"vigil {command} {subcommand}", help, StringComparison.Ordinal);
        Assert.Contains("Options:", help, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Fact]
    public async Task A_commands_description_is_wrapped_once_at_the_helps_width()
    {
        var (exitCode, help, _) = await CliRunner.RunAsync(["features", "--help"]);

        Assert.Equal(0, exitCode);
        var description = help[..help.IndexOf("Usage:", StringComparison.Ordinal)].ReplaceLineEndings("\n");
        Assert.Contains("pipeline, and write each row followed by its features", description, StringComparison.Ordinal);
        foreach (var paragraph in description.Split("\n  \n"))
        {
            var lines = paragraph.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(lines[..^1].Where(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.StartsWith("   ", StringComparison.Ordinal)), line => Assert.True(line.Length > 70, line));
        }
    }

    [Theory]
    [InlineData("one\ntwo\n\nthree", "one two\n\nthree")]
    [InlineData("Text:\n  vigil demo\n  vigil replay\nmore", "Text:\n  vigil demo\n  vigil replay\nmore")]
    [InlineData("- a\nb\n- c", "- a b\n- c")]
    [InlineData("with\n--flag value", "with --flag value")]
    public void Reflow_joins_the_lines_of_a_paragraph_and_keeps_indented_ones(string text, string reflowed) =>
        Assert.Equal(reflowed, Vigil.Cli.Commands.VigilHelp.Reflow(text));

    [Fact]
    public async Task A_port_in_use_is_reported_in_one_line_and_exits_1()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (exitCode, output, _) = await CliRunner.RunAsync(["demo", "--port", port, "--count", "10"]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"vigil: cannot serve the dashboard on 127.0.0.1:{port}", output, StringComparison.Ordinal);
        Assert.Contains("choose another --port, or --no-dashboard", output, StringComparison.Ordinal);
    }
}
