using Vigil.Cli.Tests.Commands;
using Vigil.Testing;
using Vigil.Web.Operations;

namespace Vigil.Cli.Tests.Services;

/// <summary><c>vigil probe</c>: the image's health check, against a real operations port.</summary>
public sealed class ProbeCommandTests
{
    [Fact]
    public async Task A_probe_that_answers_2xx_is_exit_0_and_a_service_not_ready_is_exit_1_with_its_reason()
    {
        await using var server = new OperationsServer("127.0.0.1", 0, () => Readiness.No("waiting for partitions"));
        await server.StartAsync();

        var (alive, aliveOut, aliveError) = await CliRunner.RunAsync(["probe", new Uri(server.Address, "healthz").ToString()]);
        var (ready, _, readyError) = await CliRunner.RunAsync(["probe"], new System.Collections.Hashtable { ["VIGIL_PROBE_URL"] = new Uri(server.Address, "readyz").ToString() });

        Assert.True(alive == 0, aliveError);
        Assert.Equal($"{server.Address}healthz: 200 ok", aliveOut.TrimEnd());
        Assert.Equal(1, ready);
        Assert.Equal($"vigil: {server.Address}readyz answered 503: {{\"ready\":false,\"detail\":\"waiting for partitions\"}}", readyError.TrimEnd());
        await server.StopAsync();
    }

    [Fact]
    public async Task Nothing_listening_is_exit_1_in_one_line_and_a_bad_url_exit_2()
    {
        var port = LoopbackPorts.Free();

        var (down, _, downError) = await CliRunner.RunAsync(["probe", $"http://127.0.0.1:{port}/healthz", "--timeout", "2"]);
        var (bad, _, badError) = await CliRunner.RunAsync(["probe", "ftp://127.0.0.1/healthz"]);

        Assert.Equal(1, down);
        Assert.StartsWith($"vigil: http://127.0.0.1:{port}/healthz did not answer: ", downError, StringComparison.Ordinal);
        Assert.Single(downError.TrimEnd().Split('\n'));
        Assert.Equal(2, bad);
        Assert.Equal("vigil: invalid probe URL 'ftp://127.0.0.1/healthz': expected an http:// or https:// URL such as http://127.0.0.1:9464/healthz", badError.TrimEnd());
    }
}
