using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Vigil.Features;
using Vigil.Models;
using Vigil.Web.Scoring;

namespace Vigil.Web.Tests.Scoring;

/// <summary>
/// A corpus of broken, hostile and careless requests, sent byte for byte over TCP to a real model server: none gets a
/// 5xx, each gets the status it should, every answer Vigil writes is a JSON error, nothing is logged as a failure, and
/// the server still answers afterwards.
/// </summary>
public sealed class HostileRequestTests(HostileRequestTests.Server server) : IClassFixture<HostileRequestTests.Server>
{
    private const string Json = "application/json";

    /// <summary>Cases: a name, the raw request, and the status it must get (0: the server closes without answering).</summary>
    public static TheoryData<string, string, int> Requests()
    {
        var data = new TheoryData<string, string, int>();
        void Score(string name, string body, int status, string path = "/v1/score", string? type = Json) => data.Add(name, Post(path, body, type), status);
        void Invoke(string name, string body, int status, string? type = Json) => data.Add(name, Post("/invocations", body, type), status);

        // A transaction on /v1/score, against a model of amount, V1 and the customer's count over a day.
        Score("a good transaction", """{"customer_id":"c","amount":12.5,"V1":1}""", 200);
        Score("amount negative", """{"amount":-1,"V1":1}""", 400);
        Score("amount over the limit", """{"amount":1.7e308,"V1":1}""", 400);
        Score("amount overflowing a double", """{"amount":1e400,"V1":1}""", 400);
        Score("amount as text", """{"amount":"12.5","V1":1}""", 400);
        Score("amount padded text", """{"amount":" 12.5 ","V1":1}""", 400);
        Score("amount null", """{"amount":null,"V1":1}""", 400);
        Score("amount true", """{"amount":true,"V1":1}""", 400);
        Score("amount an array", """{"amount":[1],"V1":1}""", 400);
        Score("amount an object", """{"amount":{},"V1":1}""", 400);
        Score("amount twice", """{"amount":1,"amount":2,"V1":1}""", 400);
        Score("amount NaN literal", """{"amount":NaN,"V1":1}""", 400);
        Score("amount Infinity literal", """{"amount":Infinity,"V1":1}""", 400);
        Score("amount NaN text", """{"amount":"NaN","V1":1}""", 400);
        Score("amount hexadecimal", """{"amount":0x10,"V1":1}""", 400);
        Score("amount leading zero", """{"amount":01,"V1":1}""", 400);
        Score("amount bare exponent", """{"amount":1e,"V1":1}""", 400);
        Score("amount plus sign", """{"amount":+1,"V1":1}""", 400);
        Score("amount missing", """{"customer_id":"c","V1":1}""", 400);
        Score("two objects", """{"amount":1,"V1":1}{"amount":2,"V1":1}""", 400);
        Score("trailing garbage", """{"amount":1,"V1":1} x""", 400);
        Score("trailing comma", """{"amount":1,"V1":1,}""", 400);
        Score("single quotes", "{'amount':1,'V1':1}", 400);
        Score("a comment", """{"amount":1,"V1":1 /* hi */}""", 400);
        Score("timestamp far ahead", """{"amount":1,"V1":1,"timestamp":"9999-12-31T23:59:59Z"}""", 400);
        Score("timestamp a day ahead", $$"""{"amount":1,"V1":1,"timestamp":"{{DateTime.UtcNow.AddDays(1):yyyy-MM-ddTHH:mm:ssZ}}"}""", 400);
        Score("timestamp 30 February", """{"amount":1,"V1":1,"timestamp":"2018-02-30T00:00:00Z"}""", 400);
        Score("timestamp 24:00", """{"amount":1,"V1":1,"timestamp":"2018-04-01T24:00:00Z"}""", 400);
        Score("timestamp a word", """{"amount":1,"V1":1,"timestamp":"yesterday"}""", 400);
        Score("timestamp negative", """{"amount":1,"V1":1,"timestamp":-5}""", 400);
        Score("timestamp past year 9999", """{"amount":1,"V1":1,"timestamp":1e20}""", 400);
        Score("timestamp true", """{"amount":1,"V1":1,"timestamp":true}""", 400);
        Score("timestamp offset out of range", """{"amount":1,"V1":1,"timestamp":"2018-04-01T00:00:00+25:00"}""", 400);
        Score("customer an array", """{"amount":1,"V1":1,"customer_id":[1]}""", 400);
        Score("customer an object", """{"amount":1,"V1":1,"customer_id":{"a":1}}""", 400);
        Score("terminal true", """{"amount":1,"V1":1,"terminal_id":true}""", 400);
        Score("currency a number", """{"amount":1,"V1":1,"currency":5}""", 400);
        Score("features supplied", """{"amount":5000,"V1":1,"features":{"customer_nb_tx_1d":0}}""", 400);
        Score("features an array", """{"amount":1,"V1":1,"features":[1]}""", 400);
        Score("model input out of range", """{"amount":1,"V1":1e300}""", 400);
        Score("model input overflowing", """{"amount":1,"V1":1e400}""", 400);
        Score("model input absent", """{"amount":1}""", 400);
        Score("model input as text", """{"amount":1,"V1":"x"}""", 400);
        Score("model input null is a missing value", """{"amount":1,"V1":null}""", 200);
        Score("an array", "[]", 400);
        Score("a string", "\"amount\"", 400);
        Score("a number", "1", 400);
        Score("null", "null", 400);
        Score("true", "true", 400);
        Score("an empty body", string.Empty, 400);
        Score("whitespace", "   \n ", 400);
        Score("truncated object", "{", 400);
        Score("truncated member", """{"amount":1""", 400);
        Score("arrays 10,000 deep", new string('[', 10_000) + new string(']', 10_000), 400);
        Score("an unknown field 100 objects deep", """{"amount":1,"V1":1,"x":""" + new string('[', 100) + new string(']', 100) + "}", 400);
        Score("escaped NUL in an id", """{"amount":1,"V1":1,"customer_id":"a\u0000b"}""", 200);
        Score("raw control character in a string", "{\"amount\":1,\"V1\":1,\"customer_id\":\"a\u0001b\"}", 400);
        Score("lone surrogate escape", """{"amount":1,"V1":1,"customer_id":"\ud800"}""", 200);
        Score("negative zero amount", """{"amount":-0.0,"V1":1}""", 200);
        Score("10,000 unknown fields", "{\"amount\":1,\"V1\":1" + string.Concat(Enumerable.Range(0, 10_000).Select(i => $",\"f{i}\":{i}")) + "}", 200);
        Score("a 900 KB customer id", "{\"amount\":1,\"V1\":1,\"customer_id\":\"" + new string('c', 900_000) + "\"}", 200);
        Score("an id of 1e999", """{"amount":1,"V1":1,"transaction_id":1e999}""", 200);
        Score("features asked with a bad flag", """{"amount":1,"V1":1}""", 200, path: "/v1/score?features=maybe");

        // MLflow's bodies on /invocations.
        Invoke("a good split frame", """{"dataframe_split":{"columns":["amount","V1","customer_nb_tx_1d"],"data":[[1,2,3]]}}""", 200);
        Invoke("a record naming a field twice", """{"dataframe_records":[{"amount":1,"amount":2,"V1":1,"customer_nb_tx_1d":1}]}""", 400);
        Invoke("an instance naming a field twice", """{"instances":[{"amount":1,"V1":1,"V1":2,"customer_nb_tx_1d":1}]}""", 400);
        Invoke("inputs naming a column twice", """{"inputs":{"amount":[1],"V1":[1],"V1":[2],"customer_nb_tx_1d":[1]}}""", 400);
        Invoke("a split frame naming a column twice", """{"dataframe_split":{"columns":["amount","amount","V1","customer_nb_tx_1d"],"data":[[1,1,1,1]]}}""", 400);
        Invoke("the seed's Amount negative", """{"columns":["Amount","V1","customer_nb_tx_1d"],"data":[[-5,1,1]]}""", 400);
        Invoke("amount overflowing", """{"columns":["amount","V1","customer_nb_tx_1d"],"data":[[1e400,1,1]]}""", 400);
        Invoke("amount over the limit", """{"columns":["amount","V1","customer_nb_tx_1d"],"data":[[1e300,1,1]]}""", 400);
        Invoke("an input out of range", """{"columns":["amount","V1","customer_nb_tx_1d"],"data":[[1,1e300,1]]}""", 400);
        Invoke("an input as text", """{"columns":["amount","V1","customer_nb_tx_1d"],"data":[[1,"x",1]]}""", 400);
        Invoke("an input true", """{"dataframe_split":{"columns":["amount","V1","customer_nb_tx_1d"],"data":[[true,1,1]]}}""", 400);
        Invoke("columns not an array", """{"columns":"amount","data":[[1]]}""", 400);
        Invoke("data not an array", """{"columns":["amount","V1","customer_nb_tx_1d"],"data":{}}""", 400);
        Invoke("column names not text", """{"columns":[1,2,3],"data":[]}""", 400);
        Invoke("an empty split frame", """{"dataframe_split":{}}""", 400);
        Invoke("a split frame that is an array", """{"dataframe_split":[]}""", 400);
        Invoke("instances a number", """{"instances":5}""", 400);
        Invoke("inputs text", """{"inputs":"x"}""", 400);
        Invoke("a row too long", """{"columns":["amount","V1","customer_nb_tx_1d"],"data":[[1,2,3,4]]}""", 400);
        Invoke("a null record", """{"dataframe_records":[null]}""", 400);
        Invoke("an instance too short", """{"instances":[[1]]}""", 400);
        Invoke("columns of two lengths", """{"inputs":{"amount":[1],"V1":[1,2],"customer_nb_tx_1d":[1]}}""", 400);
        Invoke("a column missing", """{"dataframe_records":[{"amount":1}]}""", 400);
        Invoke("no rows", """{"dataframe_records":[]}""", 400);
        Invoke("10,000 rows", "{\"instances\":[" + string.Join(',', Enumerable.Repeat("[1,2,3]", 10_000)) + "]}", 200);

        // Content types: only JSON is read (a cross-site form or text/plain body is refused, as MLflow does).
        Score("text/plain", """{"amount":1,"V1":1}""", 415, type: "text/plain");
        Score("a form", "amount=1", 415, type: "application/x-www-form-urlencoded");
        Score("multipart", "--b--", 415, type: "multipart/form-data; boundary=b");
        Score("no content type", """{"amount":1,"V1":1}""", 415, type: null);
        Score("JSON in Latin-1", """{"amount":1,"V1":1}""", 415, type: "application/json; charset=iso-8859-1");
        Score("a garbled content type", """{"amount":1,"V1":1}""", 415, type: ";;;");
        Score("a +json type", """{"amount":1,"V1":1}""", 200, type: "application/vnd.vigil+json");
        Score("JSON in capitals", """{"amount":1,"V1":1}""", 200, type: "APPLICATION/JSON");
        Score("a quoted UTF-8 charset", """{"amount":1,"V1":1}""", 200, type: "application/json; charset=\"utf-8\"");
        Invoke("text/plain on /invocations", """{"instances":[[1,2,3]]}""", 415, type: "text/plain");

        // CSV bodies on /invocations, as MLflow reads them.
        const string Header = "amount,V1,customer_nb_tx_1d\n";
        Invoke("CSV rows", Header + "1,2,3\n200,0,1\n", 200, type: "text/csv");
        Invoke("CSV without a final line break", Header + "1,2,3", 200, type: "text/csv");
        Invoke("CSV with a charset", Header + "1,2,3\n", 200, type: "text/csv; charset=utf-8");
        Invoke("CSV header only", Header, 400, type: "text/csv");
        Invoke("CSV empty", string.Empty, 400, type: "text/csv");
        Invoke("CSV blank lines only", "\n\n\r\n", 400, type: "text/csv");
        Invoke("CSV binary garbage", "\0\u0001\u0002,\u0003\n\u0004", 400, type: "text/csv");
        Invoke("CSV JSON sent as CSV", """{"instances":[[1,2,3]]}""", 400, type: "text/csv");
        Invoke("CSV a long row", Header + string.Join(',', Enumerable.Repeat("1", 100_000)) + "\n", 400, type: "text/csv");
        Invoke("CSV 10,000 rows", Header + string.Concat(Enumerable.Repeat("1,2,3\n", 10_000)), 200, type: "text/csv");
        Invoke("CSV an amount with a thousands separator", Header + "\"1,000\",2,3\n", 400, type: "text/csv");
        Invoke("CSV an infinite amount", Header + "Infinity,2,3\n", 400, type: "text/csv");
        Invoke("CSV a quote inside a cell", Header + "1\"2,2,3\n", 400, type: "text/csv");
        Invoke("CSV in UTF-16", Header + "1,2,3\n", 415, type: "text/csv; charset=utf-16");
        Score("CSV on /v1/score", Header + "1,2,3\n", 415, type: "text/csv");

        // Host names: a page that points a name of its own at this address (DNS rebinding) is refused.
        data.Add("a foreign Host", Raw("GET /v1/model HTTP/1.1", "Host: evil.example"), 400);
        data.Add("a Host that starts like ours", Raw("GET /v1/model HTTP/1.1", "Host: 127.0.0.1.evil.example"), 400);
        data.Add("Host localhost", Raw("GET /v1/model HTTP/1.1", "Host: localhost:80"), 200);
        data.Add("Host [::1]", Raw("GET /v1/model HTTP/1.1", "Host: [::1]:80"), 200);

        // Methods and paths.
        data.Add("GET on /v1/score", Raw("GET /v1/score HTTP/1.1"), 405);
        data.Add("PUT on /invocations", Raw("PUT /invocations HTTP/1.1", "Content-Length: 0"), 405);
        data.Add("DELETE on /v1/model", Raw("DELETE /v1/model HTTP/1.1"), 405);
        data.Add("POST on /v1/model", Raw("POST /v1/model HTTP/1.1", "Content-Length: 0"), 405);
        data.Add("an unknown path", Raw("GET /admin HTTP/1.1"), 404);
        data.Add("a climbing path (Kestrel removes the dots)", Raw("GET /../../etc/passwd HTTP/1.1"), 404);
        data.Add("an encoded NUL in the path", Raw("GET /%00 HTTP/1.1"), 400);
        data.Add("an absolute URI to elsewhere", Raw("GET http://evil.example/v1/model HTTP/1.1"), 400);

        // HTTP itself, broken: Kestrel refuses these before Vigil sees them.
        data.Add("binary garbage", "\0\u0001\u0002\u0003\r\n\r\n", 400);
        data.Add("an unknown HTTP version", "GET /healthz HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", 505);
        data.Add("no HTTP version", "GET /healthz\r\n\r\n", 400);
        data.Add("a lowercase method (read as its method)", Raw("get /healthz HTTP/1.1"), 200);
        data.Add("a 100 KB URL", Raw("GET /" + new string('a', 100_000) + " HTTP/1.1"), 414);
        data.Add("a 100 KB header", Raw("GET /healthz HTTP/1.1", "X-Pad: " + new string('a', 100_000)), 431);
        data.Add("a negative Content-Length", Raw("POST /v1/score HTTP/1.1", "Content-Type: application/json", "Content-Length: -1"), 400);
        data.Add("a Content-Length in words", Raw("POST /v1/score HTTP/1.1", "Content-Type: application/json", "Content-Length: ten"), 400);
        data.Add("two Content-Lengths", Raw("POST /v1/score HTTP/1.1", "Content-Type: application/json", "Content-Length: 1", "Content-Length: 2"), 400);
        data.Add("Content-Length and chunked", Raw("POST /v1/score HTTP/1.1", "Content-Type: application/json", "Content-Length: 5", "Transfer-Encoding: chunked") + "zz\r\n", 400);
        data.Add("a bad chunk size", Raw("POST /v1/score HTTP/1.1", "Content-Type: application/json", "Transfer-Encoding: chunked") + "zz\r\n{}\r\n0\r\n\r\n", 400);
        data.Add("a 2 GB Content-Length", Raw("POST /v1/score HTTP/1.1", "Content-Type: application/json", "Content-Length: 2000000000"), 413);
        data.Add("no Host on HTTP/1.1", "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", 400);
        data.Add("two Hosts", Raw("GET /healthz HTTP/1.1", "Host: 127.0.0.1", "Host: 127.0.0.1"), 400);
        data.Add("a header without a colon", Raw("GET /healthz HTTP/1.1", "Broken header"), 400);
        data.Add("a space in a header name", Raw("GET /healthz HTTP/1.1", "Bad Name: x"), 400);
        data.Add("a NUL in a header value", Raw("GET /healthz HTTP/1.1", "X-A: a\0b"), 400);
        data.Add("a chunked body over the limit", Raw("POST /v1/score HTTP/1.1", "Content-Type: application/json", "Transfer-Encoding: chunked")
            + "100002\r\n" + new string(' ', 0x100002) + "\r\n0\r\n\r\n", 413);
        data.Add("HTTP/1.0 without a Host", "GET /healthz HTTP/1.0\r\n\r\n", 200);
        return data;
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task A_broken_request_gets_its_status_and_never_a_5xx(string name, string request, int expected)
    {
        var (status, headers, body) = await server.SendAsync(request);

        Assert.True(status == expected, $"{name}: got {status}, expected {expected}: {body}");
        if (status is >= 400 and < 500 && headers.Contains("application/json", StringComparison.OrdinalIgnoreCase))
        {
            Assert.False(string.IsNullOrWhiteSpace(JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()), name);
        }

        Assert.Empty(server.Failures);
        var (after, _, _) = await server.SendAsync(Post("/v1/score", """{"amount":1,"V1":1}""", Json));
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task A_body_shorter_than_announced_drops_only_its_own_connection()
    {
        var request = Post("/v1/score", """{"amount":1,"V1":1}""", Json).Replace("Content-Length: 19", "Content-Length: 100", StringComparison.Ordinal);

        var (status, _, _) = await server.SendAsync(request, halfClose: true);

        Assert.True(status is 0 or 400, $"got {status}");
        Assert.Empty(server.Failures);
        var (after, _, _) = await server.SendAsync(Post("/v1/score", """{"amount":1,"V1":1}""", Json));
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task Vigil_writes_every_answer_to_a_bad_request_as_a_json_error_naming_the_problem()
    {
        var (status, headers, body) = await server.SendAsync(Post("/invocations", """{"dataframe_records":[{"amount":1,"amount":2}]}""", Json));

        Assert.Equal(400, status);
        Assert.Contains("application/json", headers, StringComparison.Ordinal);
        Assert.Equal("dataframe_records[0] has the field amount twice", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_model_that_gives_no_score_is_a_400_not_a_500()
    {
        // Two ratios that overflow to +∞ with opposite weights: the margin is ∞ − ∞, not a number.
        var model = new LogisticModel(["a/b", "c/d"], [0, 0], [1, 1], [1, -1], intercept: 0, threshold: 0.5) { Version = "lr-ratios" };
        using var scorer = new TransactionScorer(model);
        await using var ratios = new ScoringServer("127.0.0.1", 0, scorer, logs: server.Logs);
        await ratios.StartAsync();
        using var client = new HttpClient();
        using var content = new StringContent("""{"amount":1,"a":1e15,"b":1e-300,"c":1e15,"d":1e-300}""", Encoding.UTF8, Json);

        using var response = await client.PostAsync(new Uri(ratios.Address, "v1/score"), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("gives no score", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await ratios.StopAsync();
    }

    private static string Post(string path, string body, string? type) =>
        $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{(type is null ? string.Empty : $"Content-Type: {type}\r\n")}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";

    /// <summary>A request line and headers, with <c>Host: 127.0.0.1</c> unless a Host is given.</summary>
    private static string Raw(string requestLine, params string[] headers) =>
        requestLine + "\r\n" + (headers.Any(h => h.StartsWith("Host:", StringComparison.Ordinal)) ? string.Empty : "Host: 127.0.0.1\r\n")
        + string.Concat(headers.Select(h => h + "\r\n")) + "Connection: close\r\n\r\n";

    /// <summary>The model server the corpus is sent to, and what it logged as failures.</summary>
    public sealed class Server : IAsyncLifetime, IDisposable
    {
        private static readonly LogisticModel Model = new(["amount", "V1", "customer_nb_tx_1d"], [0, 0, 0], [1, 1, 1], [1, 0, 0], intercept: -100, threshold: 0.5)
        {
            Version = "lr-hostile",
            Features = new FeatureSet("model", [FeatureDefinition.Parse("customer_nb_tx_1d = count(customer, 1d)")]),
        };

        private readonly TransactionScorer _scorer = new(Model);
        private ScoringServer? _server;

        public CapturedLogs Logs { get; } = new();

        public IReadOnlyList<string> Failures => Logs.Failures;

        public async Task InitializeAsync()
        {
            _server = new ScoringServer("127.0.0.1", 0, _scorer, logs: Logs);
            await _server.StartAsync();
        }

        public async Task DisposeAsync()
        {
            await _server!.StopAsync();
            await _server.DisposeAsync();
        }

        public void Dispose()
        {
            _scorer.Dispose();
            Logs.Dispose();
        }

        /// <summary>Sends raw bytes, reads to the end, and returns the status (0 when closed unanswered), the headers and the body.</summary>
        /// <param name="halfClose">Close the sending side after the request, as a client that gives up does.</param>
        public async Task<(int Status, string Headers, string Body)> SendAsync(string request, bool halfClose = false)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, _server!.Address.Port);
            var stream = client.GetStream();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await stream.WriteAsync(Encoding.Latin1.GetBytes(request), timeout.Token);
                if (halfClose)
                {
                    client.Client.Shutdown(SocketShutdown.Send);
                }
            }
            catch (IOException)
            {
                // The server may answer and close before taking all of a request it refuses.
            }

            using var answer = new MemoryStream();
            try
            {
                await stream.CopyToAsync(answer, timeout.Token);
            }
            catch (IOException)
            {
                // A reset after the answer: what came is kept.
            }

            var text = Encoding.UTF8.GetString(answer.ToArray());
            var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (!text.StartsWith("HTTP/", StringComparison.Ordinal) || split < 0)
            {
                return (0, string.Empty, text);
            }

            var status = int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
            var headers = text[..split];
            var body = text[(split + 4)..];
            return (status, headers, headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(body) : body);
        }

        private static string Dechunk(string body)
        {
            var whole = new StringBuilder();
            var at = 0;
            while (body.IndexOf("\r\n", at, StringComparison.Ordinal) is var end and > 0
                   && int.Parse(body.AsSpan(at, end - at), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) is var size and > 0)
            {
                whole.Append(body, end + 2, size);
                at = end + 2 + size + 2;
            }

            return whole.ToString();
        }
    }
}
