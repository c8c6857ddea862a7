using System.Text;
using System.Text.Json;
using Vigil.Cli.Tests.Commands;
using Vigil.Models;
using Vigil.Testing;

namespace Vigil.Cli.Tests.Models;

public sealed class ServeCommandTests() : TempDirectoryTest("vigil-serve-")
{
    private const string Rules = """
        version: serve-test
        lists:
          trusted: [c-ok]
        rules:
          - name: big
            expression: amount >= 500
          - name: trusted_customer
            expression: customer_id in trusted
            action: allow
        """;

    [Fact]
    public async Task With_rules_the_server_decides_as_the_pipeline_does_and_follows_edits_to_the_file()
    {
        // The model alone would flag only from 1,000 on.
        var model = Write("m.json", ModelJson.Serialize(new LogisticModel(["amount"], [0], [1], [1], -1000, 0.5) { Version = "lr-1000" }));
        var rules = Write("rules.yaml", Rules);
        var port = LoopbackPorts.Free();
        using var stop = new CancellationTokenSource();
        var serving = CliRunner.RunAsync(["serve", "--model", model, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rules", rules], stop: stop.Token);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var large = await ScoreAsync(client, """{"customer_id":"c1","amount":600}""", ready: true);
            Assert.True(large.GetProperty("fraud").GetBoolean());
            Assert.Equal("big", large.GetProperty("reasons")[0].GetProperty("code").GetString());
            Assert.StartsWith("serve-test:", large.GetProperty("rules_version").GetString(), StringComparison.Ordinal);

            var trusted = await ScoreAsync(client, """{"customer_id":"c-ok","amount":600}""");
            Assert.False(trusted.GetProperty("fraud").GetBoolean());
            Assert.True(trusted.GetProperty("allowed").GetBoolean());

            File.WriteAllText(rules, Rules.Replace("amount >= 500", "amount >= 7000", StringComparison.Ordinal));
            JsonElement after = large;
            for (var i = 0; i < 100 && after.GetProperty("fraud").GetBoolean(); i++)
            {
                await Task.Delay(50);
                after = await ScoreAsync(client, """{"customer_id":"c1","amount":600}""");
            }

            Assert.False(after.GetProperty("fraud").GetBoolean());
            Assert.NotEqual(large.GetProperty("rules_version").GetString(), after.GetProperty("rules_version").GetString());
        }
        finally
        {
            await stop.CancelAsync();
        }

        var (exitCode, output, error) = await serving;
        Assert.True(exitCode == 0, error + output);
        Assert.Contains("/v1/score applies them before the model", output, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> ScoreAsync(HttpClient client, string transaction, bool ready = false)
    {
        // The server starts in the background: the first request waits for it, 10 s at most.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var body = new StringContent(transaction, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(new Uri("v1/score", UriKind.Relative), body);
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            }
            catch (HttpRequestException) when (ready && attempt < 200)
            {
                await Task.Delay(50);
            }
        }
    }
}
