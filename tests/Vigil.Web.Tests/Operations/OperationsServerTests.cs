using System.Net;
using System.Text.Json;
using Vigil.Models;
using Vigil.Web.Operations;
using Vigil.Web.Scoring;

namespace Vigil.Web.Tests.Operations;

public sealed class OperationsServerTests : IDisposable
{
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Readyz_is_503_with_what_it_waits_for_until_the_service_is_ready_and_healthz_answers_throughout()
    {
        var ready = false;
        await using var server = new OperationsServer("127.0.0.1", 0, () => ready ? Readiness.Yes("deciding partitions 0,1") : Readiness.No("waiting for partitions"));
        await server.StartAsync();

        var (waiting, waitingBody) = await GetAsync(new Uri(server.Address, "readyz"));
        var (alive, _) = await GetAsync(new Uri(server.Address, "healthz"));
        ready = true;
        var (serving, servingBody) = await GetAsync(new Uri(server.Address, "readyz"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, waiting);
        Assert.False(JsonDocument.Parse(waitingBody).RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal("waiting for partitions", JsonDocument.Parse(waitingBody).RootElement.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, alive);
        Assert.Equal(HttpStatusCode.OK, serving);
        Assert.Equal("deciding partitions 0,1", JsonDocument.Parse(servingBody).RootElement.GetProperty("detail").GetString());
        await server.StopAsync();
    }

    [Fact]
    public async Task The_model_server_is_ready_with_its_model()
    {
        using var scorer = new TransactionScorer(new LogisticModel(["amount"], [0], [1], [1], -100, 0.5) { Version = "lr-ready" });
        await using var server = new ScoringServer("127.0.0.1", 0, scorer);
        await server.StartAsync();

        var (status, body) = await GetAsync(new Uri(server.Address, "readyz"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("model lr-ready", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
        await server.StopAsync();
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(Uri address)
    {
        using var response = await _client.GetAsync(address);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
