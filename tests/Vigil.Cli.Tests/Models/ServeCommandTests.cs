using System.Security.Cryptography.X509Certificates;
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

    [Fact]
    public async Task Over_https_with_a_self_signed_certificate_and_keys_from_the_environment_only_a_score_key_scores()
    {
        var model = Write("m.json", ModelJson.Serialize(new LogisticModel(["amount"], [0], [1], [1], -1000, 0.5) { Version = "lr-1000" }));
        using var certificate = SelfSigned();
        var certificatePath = Write("server.crt", certificate.ExportCertificatePem());
        var keyPath = Write("server.key", certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var port = LoopbackPorts.Free();
        var environment = new System.Collections.Hashtable { ["VIGIL_API_KEYS"] = "score=score-key-0123456789abcdef,view=view-key-0123456789abcdef" };
        using var stop = new CancellationTokenSource();
        var serving = CliRunner.RunAsync(
            ["serve", "--model", model, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--tls-certificate", certificatePath, "--tls-key", keyPath],
            environment, stop.Token);

        // Trust exactly this certificate, as a client given the server's certificate file would.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "score-key-0123456789abcdef");
        try
        {
            var answer = await ScoreAsync(client, """{"customer_id":"c1","amount":1600}""", ready: true);
            Assert.True(answer.GetProperty("fraud").GetBoolean());

            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "view-key-0123456789abcdef");
            var refused = await ScoreAsync(client, """{"customer_id":"c1","amount":1600}""");
            Assert.Equal("an API key with role view may not POST /v1/score: it needs role score", refused.GetProperty("error").GetString());
        }
        finally
        {
            await stop.CancelAsync();
        }

        var (exitCode, output, error) = await serving;
        Assert.True(exitCode == 0, error + output);
        Assert.Contains($"https://127.0.0.1:{port}/", output, StringComparison.Ordinal);
        Assert.Contains("2 API keys required (roles score, view, admin) · HTTPS (vigil-test)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("score-key-0123456789abcdef", output + error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--host 0.0.0.0", "", "--host 0.0.0.0: serving 0.0.0.0 with no API key would let anyone who reaches it in")]
    [InlineData("--tls-certificate missing.pem", "", "--tls-certificate: missing.pem not found")]
    [InlineData("--tls-key k.pem", "", "--tls-key needs --tls-certificate too")]
    [InlineData("", "score=short", "VIGIL_API_KEYS, entry 1 (score): the key has 5 characters; use at least 16")]
    [InlineData("", "reader=0123456789abcdef0", "VIGIL_API_KEYS, entry 1: unknown role 'reader'; the roles are score, view, analyst and admin")]
    [InlineData("", "0123456789abcdef0", "VIGIL_API_KEYS, entry 1: expected role[:name]=key")]
    public async Task Careless_security_settings_are_one_line_and_exit_2(string flags, string keys, string message)
    {
        var model = Write("m.json", ModelJson.Serialize(new LogisticModel(["amount"], [0], [1], [1], -1000, 0.5) { Version = "lr-1000" }));
        var environment = new System.Collections.Hashtable();
        if (keys.Length > 0)
        {
            environment["VIGIL_API_KEYS"] = keys;
        }

        var (exitCode, _, error) = await CliRunner.RunAsync(
            ["serve", "--model", model, "--port", "0", .. flags.Split(' ', StringSplitOptions.RemoveEmptyEntries)], environment);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("vigil: " + message, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Hashed_keys_from_a_file_let_their_holders_in()
    {
        var model = Write("m.json", ModelJson.Serialize(new LogisticModel(["amount"], [0], [1], [1], -1000, 0.5) { Version = "lr-1000" }));
        var keys = Write("keys.txt", "# who may score\n" + Vigil.Web.Security.ApiKeys.HashedLine(new(Vigil.Web.Security.ApiRole.Score, null), "file-key-0123456789abcdef") + "\n");
        var port = LoopbackPorts.Free();
        using var stop = new CancellationTokenSource();
        var serving = CliRunner.RunAsync(
            ["serve", "--model", model, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--api-keys-file", keys], stop: stop.Token);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        client.DefaultRequestHeaders.Add("X-API-Key", "file-key-0123456789abcdef");
        try
        {
            Assert.False((await ScoreAsync(client, """{"customer_id":"c1","amount":10}""", ready: true)).GetProperty("fraud").GetBoolean());
        }
        finally
        {
            await stop.CancelAsync();
        }

        Assert.Equal(0, (await serving).ExitCode);
        Assert.DoesNotContain("file-key", File.ReadAllText(keys), StringComparison.Ordinal);
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSigned()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=vigil-test", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>Posts a transaction to <c>/v1/score</c>; with <paramref name="ready"/>, waits for a server still starting.</summary>
    internal static async Task<JsonElement> ScoreAsync(HttpClient client, string transaction, bool ready = false)
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
