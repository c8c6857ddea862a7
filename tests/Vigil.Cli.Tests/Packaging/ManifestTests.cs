using Vigil.Cli.Tests.Commands;
using Vigil.Models;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Vigil.Cli.Tests.Packaging;

/// <summary>
/// deploy/kubernetes/vigil.yaml cannot be applied here (no cluster, no kubectl or helm), so it is checked another way:
/// every container's command runs with this build and its environment, and every probe asks a route the command serves.
/// </summary>
public sealed class ManifestTests() : TempDirectoryTest("vigil-k8s-")
{
    private static readonly string[] Probes = ["/healthz", "/readyz"];

    public static TheoryData<string> Containers() => [.. Load().Containers.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Containers))]
    public async Task Each_container_s_command_is_accepted_by_this_build_with_its_environment(string name)
    {
        var (documents, containers) = Load();
        var container = containers.Single(c => c.Name == name);
        var model = Write("model.json", ModelJson.Serialize(new LogisticModel(["amount"], [0], [1], [1], -1000, 0.5) { Version = "lr-k8s" }));

        // The model comes from a ConfigMap mounted at /models; ports become free ones, so that nothing here is taken.
        var args = container.Args.Select(a => a == "/models/model.json" ? model : a == "9464" || a == "5000" ? "0" : a).ToArray();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var (exitCode, output, error) = await CliRunner.RunAsync(args, Environment(documents, container), stop.Token);

        Assert.True(exitCode != 2, $"{name}: {string.Join(' ', container.Args)} is refused: {error}{output}");
    }

    [Fact]
    public void Every_probe_asks_a_route_its_container_serves_on_the_port_it_serves_it()
    {
        var containers = Load().Containers;

        Assert.Equal(["detector", "features", "serve"], containers.Select(c => c.Name).Order());
        foreach (var container in containers.Where(c => c.Probes.Count > 0))
        {
            var port = container.Args[Array.IndexOf(container.Args, container.Args.Contains("--metrics-port") ? "--metrics-port" : "--port") + 1];
            Assert.All(container.Probes, p => Assert.Equal(port, p.Port));
            Assert.Equal(Probes, container.Probes.Select(p => p.Path).Order());
            Assert.Contains("vigil-secrets", container.Secrets); // another address than loopback needs API keys
        }
    }

    private sealed record Probe(string Path, string Port);

    private sealed record Container(string Name, string[] Args, IReadOnlyList<string> ConfigMaps, IReadOnlyList<string> Secrets, IReadOnlyList<Probe> Probes);

    /// <summary>The ConfigMaps' data, and the secrets as the file's instructions make them.</summary>
    private static System.Collections.Hashtable Environment(List<Dictionary<object, object>> documents, Container container)
    {
        var environment = new System.Collections.Hashtable();
        foreach (var document in documents.Where(d => (string)d["kind"] == "ConfigMap" && container.ConfigMaps.Contains(Name(d))))
        {
            foreach (var (key, value) in (Dictionary<object, object>)document["data"])
            {
                environment[(string)key] = (string)value;
            }
        }

        if (container.Secrets.Contains("vigil-secrets"))
        {
            environment["VIGIL_API_KEYS"] = "score=score-key-0123456789abcdef,view=view-key-0123456789abcdef";
            environment["VIGIL_RULES_KEY"] = "rules-key-0123456789abcdef";
        }

        return environment;
    }

    private static (List<Dictionary<object, object>> Documents, List<Container> Containers) Load()
    {
        var path = Path.Combine(Repository.Root, "deploy", "kubernetes", "vigil.yaml");
        var parser = new Parser(new StringReader(File.ReadAllText(path)));
        var deserializer = new DeserializerBuilder().Build();
        var documents = new List<Dictionary<object, object>>();
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(deserializer.Deserialize<Dictionary<object, object>>(parser));
        }

        var containers = new List<Container>();
        foreach (var deployment in documents.Where(d => (string)d["kind"] == "Deployment"))
        {
            var spec = (Dictionary<object, object>)((Dictionary<object, object>)((Dictionary<object, object>)deployment["spec"])["template"])["spec"];
            foreach (Dictionary<object, object> container in (List<object>)spec["containers"])
            {
                var sources = ((List<object>)container["envFrom"]).Cast<Dictionary<object, object>>().ToList();
                var probes = new[] { "livenessProbe", "readinessProbe" }.Where(container.ContainsKey)
                    .Select(p => (Dictionary<object, object>)((Dictionary<object, object>)container[p])["httpGet"])
                    .Select(g => new Probe((string)g["path"], (string)g["port"])).ToList();
                containers.Add(new Container(
                    (string)container["name"],
                    [.. ((List<object>)container["args"]).Cast<string>()],
                    [.. sources.Where(s => s.ContainsKey("configMapRef")).Select(s => Name((Dictionary<object, object>)s["configMapRef"]))],
                    [.. sources.Where(s => s.ContainsKey("secretRef")).Select(s => Name((Dictionary<object, object>)s["secretRef"]))],
                    probes));
            }
        }

        return (documents, containers);
    }

    private static string Name(Dictionary<object, object> reference) =>
        (string)(reference.TryGetValue("metadata", out var metadata) ? ((Dictionary<object, object>)metadata)["name"] : reference["name"]);
}
