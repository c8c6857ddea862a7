using Vigil.Cli.Tests.Commands;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Vigil.Cli.Tests.Packaging;

/// <summary>
/// deploy/docker-compose.yml cannot be run here (no Docker engine), so its vigil services' commands are run by this
/// build instead: each must be one Vigil accepts (no usage error), with the environment the file gives it.
/// </summary>
public sealed class ComposeFileTests
{
    public static TheoryData<string> Services() => [.. VigilServices().Keys];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Each_vigil_service_s_command_is_accepted_by_this_build(string service)
    {
        var (command, environment) = VigilServices()[service];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        // The broker (kafka:9092) does not exist here: a command that got past its settings waits for it until stopped.
        var (exitCode, output, error) = await CliRunner.RunAsync(command, environment, stop.Token);

        Assert.True(exitCode != 2, $"{service}: {string.Join(' ', command)} is refused: {error}{output}");
    }

    [Fact]
    public void The_file_names_every_service_it_runs_and_publishes_the_dashboard_on_loopback_only()
    {
        var services = VigilServices();

        Assert.Equal(["dashboard", "detector", "generator"], services.Keys.Order());
        var compose = Load();
        var ports = ((List<object>)((Dictionary<object, object>)((Dictionary<object, object>)compose["services"])["dashboard"])["ports"]).Cast<string>();
        Assert.All(ports, p => Assert.StartsWith("127.0.0.1:", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Each_service_s_health_check_asks_a_port_its_command_serves_or_is_disabled()
    {
        var services = (Dictionary<object, object>)Load()["services"];
        var dockerfile = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "Dockerfile"));
        var imageDefault = System.Text.RegularExpressions.Regex.Match(dockerfile, @"ENV VIGIL_PROBE_URL=(\S+)").Groups[1].Value;
        Assert.Contains("HEALTHCHECK", dockerfile, StringComparison.Ordinal);
        foreach (var (name, (command, environment)) in VigilServices())
        {
            var service = (Dictionary<object, object>)services[name];
            if (service.TryGetValue("healthcheck", out var check) && ((Dictionary<object, object>)check).TryGetValue("disable", out var disabled) && (string)disabled == "true")
            {
                continue;
            }

            var probe = new Uri(environment["VIGIL_PROBE_URL"] as string ?? imageDefault);
            var served = command.Contains("--metrics-port") ? command[Array.IndexOf(command, "--metrics-port") + 1]
                : command.Contains("--port") ? command[Array.IndexOf(command, "--port") + 1]
                : command[0] == "dashboard" ? "8080" : null;
            Assert.True(served == probe.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{name}: its health check asks {probe}, its command serves port {served ?? "none"}");
            Assert.Equal("/healthz", probe.AbsolutePath);
        }
    }

    private static Dictionary<string, (string[] Command, System.Collections.Hashtable Environment)> VigilServices()
    {
        var services = (Dictionary<object, object>)Load()["services"];
        var vigil = new Dictionary<string, (string[], System.Collections.Hashtable)>();
        foreach (var (name, value) in services)
        {
            var service = (Dictionary<object, object>)value;
            if (service.TryGetValue("image", out var image) && (string)image == "vigil:local")
            {
                var environment = new System.Collections.Hashtable();
                foreach (var (key, setting) in (Dictionary<object, object>)service["environment"])
                {
                    environment[(string)key] = (string)setting;
                }

                vigil[(string)name] = ([.. ((List<object>)service["command"]).Cast<string>()], environment);
            }
        }

        return vigil;
    }

    private static Dictionary<object, object> Load()
    {
        var path = Path.Combine(Repository.Root, "deploy", "docker-compose.yml");
        using var reader = new StringReader(File.ReadAllText(path));
        return new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
    }
}
