using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Vigil.Web.Security;

namespace Vigil.Cases.Tests;

/// <summary>The review queue's routes over real HTTP, with named analyst keys, and a corpus of broken and hostile requests.</summary>
public sealed class ReviewEndpointsTests : IAsyncLifetime, IDisposable
{
    private const string Alice = "alice-key-0123456789abcdef";
    private const string Viewer = "view-key-0123456789abcdef";
    private const string Admin = "admin-key-0123456789abcdef";

    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-review-").FullName;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };
    private ReviewDesk _desk = null!;

    public async Task InitializeAsync() =>
        _desk = await ReviewDesk.StartAsync(_directory, capacity: 3,
            security: new WebSecurity { Keys = ApiKeys.Parse($"analyst:alice={Alice},view={Viewer},admin={Admin}", "test") });

    public async Task DisposeAsync() => await _desk.DisposeAsync();

    public void Dispose()
    {
        _client.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_queue_ranks_open_cases_and_marks_how_far_today_s_capacity_goes_without_dropping_the_rest()
    {
        var (status, page) = await GetAsync("api/cases?limit=500");

        Assert.Equal(HttpStatusCode.OK, status);
        var cases = page.GetProperty("cases").EnumerateArray().ToList();
        var open = page.GetProperty("counts").GetProperty("open").GetInt32();
        Assert.Equal(open, cases.Count);
        Assert.Equal(open, page.GetProperty("matching").GetInt32());
        Assert.Equal(3, page.GetProperty("capacity").GetInt32());
        Assert.Equal(open - 3, page.GetProperty("beyond_capacity").GetInt32());
        Assert.Equal([true, true, true], cases.Take(3).Select(c => c.GetProperty("within_capacity").GetBoolean()));
        Assert.All(cases.Skip(3), c => Assert.False(c.GetProperty("within_capacity").GetBoolean()));
        var priorities = cases.Select(c => c.GetProperty("priority").GetDouble()).ToList();
        Assert.Equal(priorities.OrderDescending(), priorities);
        var byMoney = (await GetAsync("api/cases?sort=amount&limit=500")).Json.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("amount").GetDouble()).ToList();
        Assert.Equal(byMoney.OrderDescending(), byMoney);
    }

    [Fact]
    public async Task An_analyst_opens_assigns_and_decides_a_case_and_the_audit_trail_names_her()
    {
        var first = (await GetAsync("api/cases")).Json.GetProperty("cases")[0];
        var id = first.GetProperty("id").GetInt64();

        var (opened, detail) = await GetAsync($"api/cases/{id}");
        Assert.Equal(HttpStatusCode.OK, opened);
        var alert = detail.GetProperty("alerts")[0];
        Assert.Equal(first.GetProperty("card").GetString(), alert.GetProperty("record").GetProperty("customer_id").ToString());
        Assert.True(alert.GetProperty("record").GetProperty("vigil").GetProperty("fraud").GetBoolean());
        Assert.NotEmpty(alert.GetProperty("reasons").EnumerateArray());

        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"api/cases/{id}/assign", """{"assignee": "bob"}""")).Status);
        var (decided, answer) = await PostAsync($"api/cases/{id}/verdict", """{"verdict": "fraud", "note": "card holder did not pay this"}""");
        Assert.Equal(HttpStatusCode.OK, decided);
        Assert.Equal(("fraud", "alice", "bob"), (answer.GetProperty("status").GetString(), answer.GetProperty("decided_by").GetString(), answer.GetProperty("assignee").GetString()));

        var audit = (await GetAsync($"api/cases/{id}")).Json.GetProperty("audit").EnumerateArray()
            .Select(e => (e.GetProperty("actor").GetString(), e.GetProperty("action").GetString(), e.GetProperty("after").GetString())).ToList();
        Assert.Equal([("alice", "decide", "fraud"), ("alice", "assign", "bob"), ("vigil", "open", "open")], audit);
        var (given, alerts) = Assert.Single(_desk.Verdicts.Given);
        Assert.Equal((id, Store.Cases.CaseStatus.Fraud), (given.Id, given.Status));
        Assert.Equal(first.GetProperty("alerts").GetInt32(), alerts.Count);
        Assert.Equal(1, (await GetAsync("api/cases?status=fraud")).Json.GetProperty("counts").GetProperty("fraud").GetInt32());
        Assert.Equal(1, (await GetAsync("api/cases")).Json.GetProperty("verdicts_here").GetProperty("fraud").GetInt32());

        var (again, conflict) = await PostAsync($"api/cases/{id}/verdict", """{"verdict": "genuine"}""");
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.StartsWith($"case {id} was decided fraud by alice", conflict.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Single(_desk.Verdicts.Given);
        Assert.Contains((await GetAsync("api/cases/audit")).Json.GetProperty("audit").EnumerateArray(), e => e.GetProperty("subject").GetString() == $"case {id}");
    }

    [Fact]
    public async Task A_view_key_may_not_review_and_a_request_without_a_key_is_refused()
    {
        var id = (await GetAsync("api/cases")).Json.GetProperty("cases")[0].GetProperty("id").GetInt64();

        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("api/cases", Viewer)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync($"api/cases/{id}/verdict", """{"verdict": "fraud"}""", Viewer)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync($"api/cases/{id}/verdict", """{"verdict": "fraud"}""", key: null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("api/models/1/promote", "{}", Viewer)).Status); // promoting a model is an analyst's too
        var (listed, models) = await GetAsync("api/models", Viewer); // listing them is viewing
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Empty(models.GetProperty("models").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("api/status", Alice)).Status); // an analyst also views
        var (decided, answer) = await PostAsync($"api/cases/{id}/verdict", """{"verdict": "genuine"}""", Admin);
        Assert.Equal(HttpStatusCode.OK, decided);
        Assert.Equal("admin key", answer.GetProperty("decided_by").GetString()); // a key without a name is named by its role
        Assert.Equal(Store.Cases.CaseStatus.Genuine, Assert.Single(_desk.Verdicts.Given).Case.Status);
    }

    public static TheoryData<string, string, string?, string?, HttpStatusCode, string> Hostile() => new()
    {
        { "GET", "api/cases?status=closed", null, null, HttpStatusCode.BadRequest, "status must be open, fraud, genuine or all" },
        { "GET", "api/cases?status=1", null, null, HttpStatusCode.BadRequest, "status must be" },
        { "GET", "api/cases?sort=id;DROP TABLE cases", null, null, HttpStatusCode.BadRequest, "sort must be priority, newest, alerts or amount" },
        { "GET", "api/cases?limit=0", null, null, HttpStatusCode.BadRequest, "limit must be a whole number from 1 to 500" },
        { "GET", "api/cases?limit=99999999999", null, null, HttpStatusCode.BadRequest, "limit must be" },
        { "GET", "api/cases?offset=-1", null, null, HttpStatusCode.BadRequest, "offset must be a whole number, 0 or more" },
        { "GET", "api/cases/abc", null, null, HttpStatusCode.BadRequest, "a case is named by its number" },
        { "GET", "api/cases/99999999", null, null, HttpStatusCode.NotFound, "there is no case 99999999" },
        { "POST", "api/cases/99999999/verdict", "application/json", """{"verdict": "fraud"}""", HttpStatusCode.NotFound, "there is no case 99999999" },
        { "POST", "api/cases/-1/verdict", "application/json", """{"verdict": "fraud"}""", HttpStatusCode.BadRequest, "a case is named by its number" },
        { "POST", "api/cases/{id}/verdict", "text/plain", "fraud", HttpStatusCode.UnsupportedMediaType, "send a JSON object" },
        { "POST", "api/cases/{id}/verdict", "application/json", "", HttpStatusCode.BadRequest, "the body is not a JSON object" },
        { "POST", "api/cases/{id}/verdict", "application/json", "[\"fraud\"]", HttpStatusCode.BadRequest, "the body is not a JSON object" },
        { "POST", "api/cases/{id}/verdict", "application/json", "{\"verdict\": \"fraud\"", HttpStatusCode.BadRequest, "the body is not a JSON object" },
        { "POST", "api/cases/{id}/verdict", "application/json", new string('[', 100) + new string(']', 100), HttpStatusCode.BadRequest, "the body is not a JSON object" },
        { "POST", "api/cases/{id}/verdict", "application/json", """{"verdict": "maybe"}""", HttpStatusCode.BadRequest, "verdict must be \"fraud\" or \"genuine\"" },
        { "POST", "api/cases/{id}/verdict", "application/json", """{"verdict": true}""", HttpStatusCode.BadRequest, "verdict must be" },
        { "POST", "api/cases/{id}/verdict", "application/json", """{"verdict": "fraud", "note": 5}""", HttpStatusCode.BadRequest, "note is text of at most 4000 characters" },
        { "POST", "api/cases/{id}/verdict", "application/json", $$"""{"verdict": "fraud", "note": "{{new string('x', 4001)}}"}""", HttpStatusCode.BadRequest, "note is text" },
        { "POST", "api/cases/{id}/verdict", "application/json", $$"""{"verdict": "fraud", "note": "{{new string('x', 70_000)}}"}""", HttpStatusCode.RequestEntityTooLarge, "a review request is at most 64 KiB" },
        { "POST", "api/cases/{id}/assign", "application/json", """{}""", HttpStatusCode.BadRequest, "send {\"assignee\": \"NAME\"}" },
        { "POST", "api/cases/{id}/assign", "application/json", """{"assignee": "<script>alert(1)</script>"}""", HttpStatusCode.BadRequest, "assignee is a name of at most 64" },
        { "POST", "api/cases/{id}/assign", "application/json", """{"assignee": 7}""", HttpStatusCode.BadRequest, "assignee is a name" },
        { "POST", "api/models/abc/promote", "application/json", "{}", HttpStatusCode.BadRequest, "a model is named by its number: /api/models/3/promote" },
        { "POST", "api/models/-1/promote", "application/json", "{}", HttpStatusCode.BadRequest, "a model is named by its number" },
        { "POST", "api/models/1/promote", "text/plain", "promote", HttpStatusCode.UnsupportedMediaType, "send a JSON object" },
        { "POST", "api/models/1/promote", "application/json", "promote", HttpStatusCode.BadRequest, "the body is not a JSON object" },
        { "POST", "api/models/1/promote", "application/json", """{"note": ["why"]}""", HttpStatusCode.BadRequest, "note is text of at most 4000 characters" },
        { "POST", "api/models/1/promote", "application/json", $$"""{"note": "{{new string('x', 70_000)}}"}""", HttpStatusCode.RequestEntityTooLarge, "a review request is at most 64 KiB" },
        { "POST", "api/models/1/promote", "application/json", "{}", HttpStatusCode.NotFound, "there is no model 1: none has been trained yet" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_broken_or_hostile_request_gets_a_json_error_and_changes_nothing(string method, string path, string? type, string? body, HttpStatusCode expected, string error)
    {
        var id = (await GetAsync("api/cases")).Json.GetProperty("cases")[0].GetProperty("id").GetInt64();
        var before = _desk.Review.Store.AuditTrail(limit: 10_000).Count;
        var open = _desk.Review.List(new(Limit: 1)).Counts.Open;

        var (status, answer) = method == "GET" ? await GetAsync(path) : await SendAsync(path.Replace("{id}", $"{id}", StringComparison.Ordinal), type!, body!, Alice);

        Assert.Equal(expected, status);
        Assert.StartsWith(error, answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, _desk.Review.Store.AuditTrail(limit: 10_000).Count);
        Assert.Empty(_desk.Verdicts.Given);
        Assert.Equal(open, _desk.Review.List(new(Limit: 1)).Counts.Open);
    }

    private Task<(HttpStatusCode Status, JsonElement Json)> GetAsync(string path, string? key = Alice) => ExchangeAsync(HttpMethod.Get, path, null, key);

    private Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string path, string body, string? key = Alice) =>
        SendAsync(path, "application/json", body, key);

    private Task<(HttpStatusCode Status, JsonElement Json)> SendAsync(string path, string type, string body, string? key) =>
        ExchangeAsync(HttpMethod.Post, path, new StringContent(body, Encoding.UTF8, MediaTypeHeaderValue.Parse(type)), key);

    private async Task<(HttpStatusCode Status, JsonElement Json)> ExchangeAsync(HttpMethod method, string path, HttpContent? content, string? key)
    {
        using var request = new HttpRequestMessage(method, new Uri(_desk.Server.Address, path)) { Content = content };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }
}
