using Vigil.Testing;
using System.Net;
using System.Text;
using System.Text.Json;
using Vigil.Models;
using Vigil.Web.Dashboard;
using Vigil.Web.Scoring;
using Vigil.Web.Metrics;
using Vigil.Web.Security;

namespace Vigil.Web.Tests.Security;

/// <summary>Every route of the model server and the dashboard, asked with no key, a wrong key and each role's key, over real HTTP.</summary>
public sealed class ApiAccessTests : IAsyncLifetime, IDisposable
{
    private const string ScoreKey = "score-key-0123456789abcdef";
    private const string ViewKey = "view-key-0123456789abcdef";
    private const string AdminKey = "admin-key-0123456789abcdef";
    private const string AnalystKey = "analyst-key-0123456789abcdef";

    private static readonly LogisticModel Model = new(["amount", "V1"], [0, 0], [1, 1], [1, 0], intercept: -100, threshold: 0.5) { Version = "lr-amount" };

    private static readonly WebSecurity Security = new() { Keys = ApiKeys.Parse($"score={ScoreKey}, view={ViewKey},admin={AdminKey},analyst:alice={AnalystKey}", "test") };

    private readonly TransactionScorer _scorer = new(Model);
    private readonly HttpClient _client = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(10) };
    private ScoringServer _serve = null!;
    private LiveDemo _dashboard = null!;

    public enum Credential
    {
        None,
        Wrong,
        Score,
        View,
        Admin,
        Analyst,
    }

    public async Task InitializeAsync()
    {
        _serve = new ScoringServer("127.0.0.1", 0, _scorer, security: Security, metrics: new ServiceMetrics("serve"));
        await _serve.StartAsync();
        _dashboard = await LiveDemo.StartAsync(rate: 100, count: 100, options: new DashboardOptions { Port = 0, Security = Security });
    }

    public async Task DisposeAsync()
    {
        await _serve.StopAsync();
        await _serve.DisposeAsync();
        await _dashboard.DisposeAsync();
    }

    public void Dispose()
    {
        _scorer.Dispose();
        _client.Dispose();
    }

    /// <summary>Route, who may use it (null: anyone), and the server it is on.</summary>
    public static TheoryData<string, string, ApiRole?, bool> Routes() => new()
    {
        { "GET", "/healthz", null, true },
        { "GET", "/ping", null, true },
        { "GET", "/health", null, true },
        { "GET", "/version", null, true },
        { "POST", "/invocations", ApiRole.Score, true },
        { "POST", "/v1/score", ApiRole.Score, true },
        { "GET", "/v1/model", ApiRole.View, true },
        { "GET", "/nowhere", ApiRole.View, true },
        { "DELETE", "/v1/model", ApiRole.Admin, true },
        { "GET", "/metrics", ApiRole.View, true },
        { "GET", "/healthz", null, false },
        { "GET", "/login", null, false },
        { "GET", "/login.css", null, false },
        { "GET", "/", ApiRole.View, false },
        { "GET", "/dashboard.js", ApiRole.View, false },
        { "GET", "/dashboard.css", ApiRole.View, false },
        { "GET", "/review.js", ApiRole.View, false },
        { "GET", "/api/cases", ApiRole.Analyst, false },
        { "GET", "/api/cases/12", ApiRole.Analyst, false },
        { "POST", "/api/cases/12/verdict", ApiRole.Analyst, false },
        { "GET", "/api/models", ApiRole.View, false },
        { "POST", "/api/models/3/promote", ApiRole.Analyst, false },
        { "GET", "/api/status", ApiRole.View, false },
        { "GET", "/events", ApiRole.View, false },
        { "PUT", "/api/status", ApiRole.Admin, false },
        { "GET", "/metrics", ApiRole.View, false },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Each_route_answers_each_credential_as_its_role_allows(string method, string path, ApiRole? role, bool serve)
    {
        foreach (var credential in Enum.GetValues<Credential>())
        {
            var status = await SendAsync(serve, method, path, credential);

            var expected = role is not { } needed ? Allowed(method, path)
                : credential is Credential.None or Credential.Wrong ? HttpStatusCode.Unauthorized
                : ApiAccess.Allows(Role(credential), needed) ? Allowed(method, path)
                : HttpStatusCode.Forbidden;
            Assert.True(expected == status, $"{method} {path} with {credential}: {status}, expected {expected}");
        }
    }

    [Fact]
    public async Task A_refusal_is_a_json_error_that_says_what_to_send_and_is_counted()
    {
        var before = _serve.AuthFailures;
        using var missing = await _client.SendAsync(Request(true, "POST", "/v1/score", Credential.None));
        using var forbidden = await _client.SendAsync(Request(true, "POST", "/v1/score", Credential.View));

        Assert.Equal("Bearer realm=\"vigil\"", missing.Headers.WwwAuthenticate.ToString());
        Assert.Equal(
            "POST /v1/score needs an API key with role score: send Authorization: Bearer KEY or X-API-Key: KEY",
            JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal(
            "an API key with role view may not POST /v1/score: it needs role score",
            JsonDocument.Parse(await forbidden.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal(before + 2, _serve.AuthFailures);
        using var scrape = await _client.SendAsync(Request(true, "GET", "/metrics", Credential.View));
        var metrics = new PrometheusText(await scrape.Content.ReadAsStringAsync());
        Assert.True(metrics.Value("vigil_http_auth_failures_total", "reason=missing") >= 1);
        Assert.True(metrics.Value("vigil_http_auth_failures_total", "reason=forbidden") >= 1);
        Assert.Equal(_serve.AuthFailures, metrics.Samples("vigil_http_auth_failures_total").Sum(s => s.Value));
    }

    [Fact]
    public async Task A_key_in_x_api_key_works_as_a_bearer_token_does()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_serve.Address, "v1/model"));
        request.Headers.Add("X-API-Key", ViewKey);

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_browser_is_sent_to_sign_in_and_its_cookie_then_opens_the_dashboard_and_its_stream()
    {
        using var page = new HttpRequestMessage(HttpMethod.Get, _dashboard.Server.Address);
        page.Headers.Accept.ParseAdd("text/html");
        using var redirected = await _client.SendAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.Equal("/login", redirected.Headers.Location?.OriginalString);

        using var wrong = await _client.PostAsync(new Uri(_dashboard.Server.Address, "login"), new FormUrlEncodedContent([new("key", "not-a-key")]));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        using var scoring = await _client.PostAsync(new Uri(_dashboard.Server.Address, "login"), new FormUrlEncodedContent([new("key", ScoreKey)]));
        Assert.Equal(HttpStatusCode.Forbidden, scoring.StatusCode);
        Assert.False(scoring.Headers.Contains("Set-Cookie"));

        using var signedIn = await _client.PostAsync(new Uri(_dashboard.Server.Address, "login"), new FormUrlEncodedContent([new("key", ViewKey)]));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        foreach (var path in new[] { "", "events", "api/status" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_dashboard.Server.Address, path));
            request.Headers.Add("Cookie", cookie.Split(';')[0]);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // A cookie from before the keys changed sends the person back to sign in.
        using var stale = new HttpRequestMessage(HttpMethod.Get, _dashboard.Server.Address);
        stale.Headers.Accept.ParseAdd("text/html");
        stale.Headers.Add("Cookie", $"{ApiAccess.CookieName}=old-key-0123456789abcdef");
        using var again = await _client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal("/login", again.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("login")]
    [InlineData("")]
    [InlineData("dashboard.js")]
    [InlineData("api/status")]
    public async Task What_a_browser_fetches_may_not_be_framed_sniffed_or_load_from_elsewhere(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_dashboard.Server.Address, path));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ViewKey);
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scoring_api_s_answers_skip_the_browser_headers()
    {
        using var response = await _client.SendAsync(Request(true, "POST", "/v1/score", Credential.Score));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
    }

    /// <summary>Credentials a careless client or an attacker sends: none gets in, none gets a 5xx.</summary>
    public static TheoryData<string, string, string, int> HostileCredentials() => new()
    {
        { "Authorization", "Bearer", "an empty bearer token", 401 },
        { "Authorization", "Bearer ", "a bearer of spaces", 401 },
        { "Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("score:" + ScoreKey)), "Basic with the key as password", 401 },
        { "Authorization", "Bearer " + ScoreKey[..^1], "the key less its last character", 401 },
        { "Authorization", "Bearer " + ScoreKey + "x", "the key and one more character", 401 },
        { "Authorization", "Bearer " + ScoreKey.ToUpperInvariant(), "the key in capitals", 401 },
        { "Authorization", "bearer " + ScoreKey, "the scheme in lower case (RFC 7235: case-insensitive)", 200 },
        { "Authorization", "Bearer  " + ScoreKey + " ", "the key padded with spaces", 200 },
        { "Authorization", "Bearer " + new string('k', 100_000), "a 100 KB key", 431 },
        { "Authorization", "Bearer " + new string('k', 20_000), "a 20 KB key", 401 },
        { "X-API-Key", "", "an empty X-API-Key", 401 },
        { "X-API-Key", ViewKey, "a view key on a score route", 403 },
        { "Cookie", $"{ApiAccess.CookieName}={ScoreKey}", "the key as a cookie (a browser's way)", 200 },
        { "Cookie", $"{ApiAccess.CookieName}=", "an empty cookie", 401 },
    };

    [Theory]
    [MemberData(nameof(HostileCredentials))]
    public async Task A_broken_or_hostile_credential_gets_4xx_and_only_the_key_itself_gets_in(string header, string value, string name, int expected)
    {
        using var request = Request(true, "POST", "/v1/score", Credential.None);
        Assert.True(request.Headers.TryAddWithoutValidation(header, value), name);

        using var response = await _client.SendAsync(request);

        Assert.True((int)response.StatusCode == expected, $"{name}: {(int)response.StatusCode}, expected {expected}");
        if (expected is 401 or 403)
        {
            Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()));
        }
    }

    [Fact]
    public async Task Two_keys_in_one_request_are_not_read_as_either()
    {
        using var request = Request(true, "POST", "/v1/score", Credential.None);
        request.Headers.TryAddWithoutValidation("X-API-Key", [ScoreKey, AdminKey]);

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nview-key-0123456789abcdef\r\n--b--\r\n", 303)]
    [InlineData("application/json", "{\"key\":\"view-key-0123456789abcdef\"}", 415)]
    [InlineData("application/x-www-form-urlencoded", "", 401)]
    [InlineData("application/x-www-form-urlencoded", "key=%ZZ", 401)]
    [InlineData("application/x-www-form-urlencoded", "key=a&key=b", 401)]
    public async Task The_sign_in_form_refuses_what_is_not_a_valid_view_key(string type, string body, int expected)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", type);

        using var response = await _client.PostAsync(new Uri(_dashboard.Server.Address, "login"), content);

        Assert.Equal(expected, (int)response.StatusCode is 302 ? 303 : (int)response.StatusCode);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.0.2.1")]
    public void With_no_key_only_loopback_is_served_unless_insecure(string host)
    {
        var refused = Assert.Throws<ArgumentException>(() => new ScoringServer(host, 0, _scorer));
        Assert.Contains("no API key would let anyone who reaches it in", refused.Message, StringComparison.Ordinal);

        Assert.Null(new WebSecurity { Insecure = true }.Refuses(IPAddress.Parse(host)));
        Assert.Null(Security.Refuses(IPAddress.Parse(host)));
        Assert.Null(WebSecurity.None.Refuses(IPAddress.Loopback));
    }

    private static HttpStatusCode Allowed(string method, string path) => (method, path) switch
    {
        ("DELETE", _) or ("PUT", _) => HttpStatusCode.MethodNotAllowed,
        (_, "/nowhere") => HttpStatusCode.NotFound,
        (_, _) when path.StartsWith("/api/cases", StringComparison.Ordinal) || path.StartsWith("/api/models", StringComparison.Ordinal) => HttpStatusCode.NotFound, // this dashboard has no cases, no models
        _ => HttpStatusCode.OK,
    };

    private static ApiRole Role(Credential credential) => credential switch
    {
        Credential.Score => ApiRole.Score,
        Credential.View => ApiRole.View,
        Credential.Admin => ApiRole.Admin,
        Credential.Analyst => ApiRole.Analyst,
        _ => throw new ArgumentOutOfRangeException(nameof(credential)),
    };

    private async Task<HttpStatusCode> SendAsync(bool serve, string method, string path, Credential credential)
    {
        using var request = Request(serve, method, path, credential);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }

    private HttpRequestMessage Request(bool serve, string method, string path, Credential credential)
    {
        var address = serve ? _serve.Address : _dashboard.Server.Address;
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(address, path));
        if (method == "POST")
        {
            var body = path == "/invocations" ? """{"instances":[[1,2]]}""" : """{"amount":1,"V1":1}""";
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var key = credential switch
        {
            Credential.Wrong => "wrong-key-0123456789abcdef",
            Credential.Score => ScoreKey,
            Credential.View => ViewKey,
            Credential.Admin => AdminKey,
            Credential.Analyst => AnalystKey,
            _ => null,
        };
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }
}
