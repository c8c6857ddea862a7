using System.Net;
using System.Text;
using System.Text.Json;
using Vigil.Features;
using Vigil.Models;
using Vigil.Web.Scoring;

namespace Vigil.Web.Tests.Scoring;

public sealed class ScoringServerTests : IAsyncLifetime, IDisposable
{
    // Fraud when amount ≥ 100 (V1 weighs nothing): σ(amount − 100) ≥ 0.5.
    private static readonly LogisticModel Model = new(["amount", "V1"], [0, 0], [1, 1], [1, 0], intercept: -100, threshold: 0.5) { Version = "lr-amount" };

    private readonly TransactionScorer _scorer = new(Model);
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };
    private ScoringServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = new ScoringServer("127.0.0.1", 0, _scorer);
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    public void Dispose()
    {
        _scorer.Dispose();
        _client.Dispose();
    }

    /// <param name="expectContinue">
    /// Ask before sending the body (<c>Expect: 100-continue</c>, as curl does past 1 MB): a server that refuses by the
    /// declared length answers at once and closes, and a client already writing the body would see a broken pipe instead.
    /// </param>
    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, string body, bool expectContinue = false, string type = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Address, path))
        {
            Content = new StringContent(body, Encoding.UTF8, type),
        };
        request.Headers.ExpectContinue = expectContinue;
        using var response = await _client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Posts a bad body and checks the 400 and the JSON error that names the problem.</summary>
    private async Task AssertRefusedAsync(string path, string body, string message)
    {
        var (status, answer) = await PostAsync(path, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Formats => new()
    {
        { """{"columns":["V1","Amount"],"data":[[1,150],[2,50]]}""", "[1,0]" },
        { """{"dataframe_split":{"index":[0,1],"columns":["amount","V1"],"data":[[150,1],[50,2]]}}""", """{"predictions":[1,0]}""" },
        { """{"dataframe_records":[{"amount":150,"V1":1},{"V1":2,"amount":50,"extra":"ignored"}]}""", """{"predictions":[1,0]}""" },
        { """{"instances":[{"amount":150,"V1":1},{"amount":50,"V1":null}]}""", """{"predictions":[1,0]}""" },
        { """{"instances":[[150,1],[50,2]]}""", """{"predictions":[1,0]}""" },
        { """{"inputs":{"amount":[150,50],"V1":[1,2]}}""", """{"predictions":[1,0]}""" },
        { """{"inputs":[{"amount":150,"V1":1}]}""", """{"predictions":[1]}""" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Invocations_answers_every_mlflow_format(string body, string expected)
    {
        var (status, answer) = await PostAsync("invocations", body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, answer);
    }

    [Theory]
    [InlineData("not json", "the body is not JSON")]
    [InlineData("[1,2]", "the body must be a JSON object")]
    [InlineData("""{"rows":[]}""", "unknown body")]
    [InlineData("""{"columns":["amount"],"data":[[1]]}""", "lacks column V1 (model lr-amount takes amount, V1)")]
    [InlineData("""{"columns":["amount","V1"],"data":[[1]]}""", "data row 0 must be an array of 2 values")]
    [InlineData("""{"columns":["amount","V1"],"data":[["1",2]]}""", "data[0][0] must be a number or null, got string")]
    [InlineData("""{"dataframe_records":[]}""", "no rows to score")]
    [InlineData("""{"dataframe_records":[[1,2]]}""", "dataframe_records[0] must be a record")]
    [InlineData("""{"instances":[[1]]}""", "instances[0] has 1 values; the model takes 2")]
    [InlineData("""{"inputs":{"amount":[1,2],"V1":[1]}}""", "arrays of one length")]
    [InlineData("", "the body is empty")]
    public Task A_bad_invocation_gets_400_with_a_json_error(string body, string message) => AssertRefusedAsync("invocations", body, message);

    public static TheoryData<string, string> CsvFormats => new()
    {
        { "amount,V1\n150,1\n50,2\n", """{"predictions":[1,0]}""" },
        { "V1,Amount,extra\r\n1,150,ignored\r\n2,50,\r\n", """{"predictions":[1,0]}""" }, // pandas' to_csv on Windows; Amount as the seed sends it
        { "\uFEFF\"amount\",\"V1\"\n\"150.5\",\"1e0\"\n", """{"predictions":[1]}""" }, // Excel's byte-order mark and quotes
        { "amount,V1\n150,\n50,NA\n99,NaN\n", """{"predictions":[1,0,0]}""" }, // missing values, as pandas reads them
        { ",amount,V1\n0,150,1\n1,50,2\n", """{"predictions":[1,0]}""" }, // to_csv with its index: an unnamed column
    };

    [Theory]
    [MemberData(nameof(CsvFormats))]
    public async Task Invocations_reads_csv_as_mlflow_does(string body, string expected)
    {
        var (status, answer) = await PostAsync("invocations", body, type: "text/csv");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, answer);
    }

    [Theory]
    [InlineData("", "the body is empty: send CSV")]
    [InlineData("amount,V1\n", "no rows to score")]
    [InlineData("amount\n1\n", "the CSV header lacks column V1 (model lr-amount takes amount, V1)")]
    [InlineData("amount,amount,V1\n1,2,3\n", "the CSV header names amount twice")]
    [InlineData("amount,V1\n1,2\n3\n", "CSV line 3 has 1 cells; the header names 2 columns")]
    [InlineData("amount,V1\n1,two\n", "CSV line 2, column V1 must be a number or empty, got two")]
    [InlineData("amount,V1\n-5,1\n", "CSV line 2, column amount: amount is negative (-5)")]
    [InlineData("amount,V1\n1e400,1\n", "CSV line 2, column amount must be a number or empty")]
    [InlineData("amount,V1\n 1 0,1\n", "must be a number or empty, got 1 0")]
    [InlineData("amount,V1\n\"1,2\n", "CSV line 2 (line 2) has a quoted cell that is never closed")]
    [InlineData("amount,V1\n1,1e300\n", "CSV line 2, column V1 is out of range")]
    public async Task A_bad_csv_invocation_gets_400_naming_the_line_and_column(string body, string message)
    {
        var (status, answer) = await PostAsync("invocations", body, type: "text/csv");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("invocations", "text/plain", "send the body as Content-Type: application/json or text/csv in UTF-8 (got text/plain")]
    [InlineData("invocations", "application/xml", "or text/csv in UTF-8 (got application/xml")]
    [InlineData("v1/score", "text/csv", "send the body as Content-Type: application/json in UTF-8 (got text/csv")]
    public async Task Other_content_types_get_415_saying_which_are_read(string path, string type, string message)
    {
        var (status, answer) = await PostAsync(path, "amount,V1\n1,2\n", type: type);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains(message, JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ping")]
    [InlineData("health")]
    [InlineData("healthz")]
    public async Task Mlflow_s_probes_answer_200(string path)
    {
        using var response = await _client.GetAsync(new Uri(_server.Address, path));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Version_answers_vigil_s_version()
    {
        var version = await _client.GetStringAsync(new Uri(_server.Address, "version"));

        Assert.Matches(@"^\d+\.\d+\.\d+", version);
        Assert.Equal(ScoringServer.Version, version);
    }

    [Theory]
    [InlineData("invocations")]
    [InlineData("v1/score")]
    public async Task A_body_over_one_mebibyte_gets_413(string path)
    {
        var (status, answer) = await PostAsync(path, "{\"pad\":\"" + new string('x', ScoringServer.MaxBodyBytes) + "\"}", expectContinue: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("limit is 1,048,576", JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_answers_fraud_score_reasons_and_the_model_version()
    {
        var (status, answer) = await PostAsync("v1/score", """{"transaction_id":"t1","amount":180,"V1":4}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var root = JsonDocument.Parse(answer).RootElement;
        Assert.True(root.GetProperty("fraud").GetBoolean());
        Assert.Equal(Vigil.Models.Model.Sigmoid(80), root.GetProperty("score").GetDouble(), 9);
        Assert.Equal("lr-amount", root.GetProperty("model_version").GetString());
        var reason = Assert.Single(root.GetProperty("reasons").EnumerateArray());
        Assert.Equal("model:amount", reason.GetProperty("code").GetString());
        Assert.Equal("amount = 180", reason.GetProperty("text").GetString());
        Assert.True(reason.GetProperty("contribution").GetDouble() > 0);
        Assert.Equal("none", root.GetProperty("rules_version").GetString());
    }

    [Theory]
    [InlineData("""{"amount":"x"}""", "amount must be a JSON number")]
    [InlineData("""{"customer_id":1}""", "amount is missing")]
    [InlineData("[]", "not a JSON object")]
    public Task A_bad_transaction_gets_400(string body, string message) => AssertRefusedAsync("v1/score", body, message);

    [Fact]
    public async Task Score_keeps_live_feature_state_across_requests_and_a_swapped_model_answers_next()
    {
        var features = new FeatureSet("model", [FeatureDefinition.Parse("customer_nb_tx_1d = count(customer, 1d)")]);
        _scorer.Swap(new LogisticModel(["customer_nb_tx_1d"], [0], [1], [1], intercept: -2.5, threshold: 0.5) { Version = "lr-velocity", Features = features });
        var answers = new List<JsonElement>();
        for (var minute = 0; minute < 3; minute++)
        {
            var (_, body) = await PostAsync("v1/score?features=true", $$"""{"customer_id":"c9","amount":10,"timestamp":"2018-05-01T10:0{{minute}}:00Z"}""");
            answers.Add(JsonDocument.Parse(body).RootElement);
        }

        Assert.Equal([1.0, 2.0, 3.0], answers.Select(a => a.GetProperty("features").GetProperty("customer_nb_tx_1d").GetDouble()));
        Assert.Equal([false, false, true], answers.Select(a => a.GetProperty("fraud").GetBoolean()));
        Assert.All(answers, a => Assert.Equal("lr-velocity", a.GetProperty("model_version").GetString()));
    }
}
