using System.Net;
using System.Text.Json;
using Vigil.Cli.Tests.Commands;
using Vigil.Testing;

namespace Vigil.Cli.Tests.Services;

/// <summary><c>vigil detect --metrics-port</c>: the probes an orchestrator asks a detector.</summary>
public sealed class OperationsPortTests
{
    private const string Ready = "deciding partitions 0,1 of queueing.transactions in group vigil-detector";

    [Fact]
    public async Task A_detector_is_ready_once_it_owns_partitions_and_says_which()
    {
        using var cluster = MockClusters.WithVigilTopics(partitions: 2);
        var port = LoopbackPorts.Free();
        using var stop = new CancellationTokenSource();
        var detect = CliRunner.RunAsync(
            ["detect", "--kafka", cluster.BootstrapServers, "--metrics-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], stop: stop.Token);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        var seen = new List<(HttpStatusCode, string)>();
        try
        {
            for (var i = 0; i < 300 && seen.LastOrDefault().Item2 != Ready; i++)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri("readyz", UriKind.Relative));
                    seen.Add((response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!));
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100);
            }

            using var alive = await client.GetAsync(new Uri("healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }
        finally
        {
            await stop.CancelAsync();
        }

        var (exitCode, output, error) = await detect;
        Assert.True(exitCode == 0, error + output);
        Assert.Equal((HttpStatusCode.OK, Ready), seen[^1]);
        Assert.All(seen, s => Assert.True(
            s == (HttpStatusCode.ServiceUnavailable, "waiting for partitions of queueing.transactions from group vigil-detector")
            || (s.Item1 == HttpStatusCode.OK && s.Item2.StartsWith("deciding partitions ", StringComparison.Ordinal)), $"{s}"));
        Assert.Contains($"operations: http://127.0.0.1:{port}/ · GET /healthz, /readyz", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operations_port_on_another_address_than_loopback_needs_a_key()
    {
        using var cluster = MockClusters.WithVigilTopics(partitions: 1);

        var (exitCode, _, error) = await CliRunner.RunAsync(["detect", "--kafka", cluster.BootstrapServers, "--metrics-port", "0", "--metrics-host", "0.0.0.0"]);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("vigil: --metrics-host 0.0.0.0: serving 0.0.0.0 with no API key would let anyone who reaches it in", error, StringComparison.Ordinal);
    }
}
