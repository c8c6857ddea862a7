using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigil.Web.Hosting;

namespace Vigil.Web.Tests.Hosting;

public sealed class LocalWebAppTests
{
    [Fact]
    public async Task A_failure_the_routes_did_not_foresee_is_a_json_500_and_is_logged_with_its_exception()
    {
        using var logs = new CapturedLogs();
        await using var app = LocalWebApp.Create("127.0.0.1", 0, logs: logs);
        app.MapGet("/boom", (HttpContext _) => throw new InvalidOperationException("the unforeseen"));
        await app.StartAsync();
        using var client = new HttpClient();

        using var response = await client.GetAsync(new Uri(LocalWebApp.Address(app), "boom"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("InvalidOperationException", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        var logged = Assert.Single(logs.Failures);
        Assert.Contains("GET /boom failed with 500", logged, StringComparison.Ordinal);
        Assert.Contains("the unforeseen", logged, StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Theory]
    [InlineData("127.0.0.1", "", "localhost", true)]
    [InlineData("127.0.0.1", "", "[::1]", true)]
    [InlineData("127.0.0.1", "", "attacker.example", false)]
    [InlineData("127.0.0.1", "vigil.internal", "vigil.internal", true)]
    [InlineData("10.1.2.3", "", "10.1.2.3", true)]
    [InlineData("10.1.2.3", "", "localhost", false)]
    [InlineData("0.0.0.0", "", "anything.example", true)]
    [InlineData("127.0.0.1", "*", "anything.example", true)]
    public void The_host_names_served_are_the_addresses_own_and_those_allowed(string address, string allowed, string host, bool served)
    {
        var names = LocalWebApp.ServedHosts(IPAddress.Parse(address), allowed.Length == 0 ? [] : allowed.Split(','));

        Assert.Equal(served, names is null || names.Contains(host));
    }
}
