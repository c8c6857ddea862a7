using System.Diagnostics;
using System.Net;
using System.Text;

namespace Vigil.Testing;

/// <summary>A scripted HTTP server on 127.0.0.1 standing in for Slack or a webhook receiver; it records every request.</summary>
public sealed class FakeHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<(int Status, string Body, string? RetryAfter)> _script = new();
    private readonly Lock _lock = new();
    private readonly Task _serving;
    private readonly string _defaultBody;

    public FakeHttpServer(string defaultBody = "ok")
    {
        _defaultBody = defaultBody;
        Url = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    public List<Request> Requests { get; } = [];

    public sealed record Request(string Path, IReadOnlyDictionary<string, string> Headers, string Body, TimeSpan At)
    {
        /// <summary>The body as sent (a binary one, such as OTLP's protobuf, does not survive as text).</summary>
        public byte[] Bytes { get; init; } = [];
    }

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>The next answers, in order; after them every request gets 200 and the default body.</summary>
    public void Answer(int status, string body = "", string? retryAfter = null)
    {
        lock (_lock)
        {
            _script.Enqueue((status, body, retryAfter));
        }
    }

    public IReadOnlyList<Request> Received()
    {
        lock (_lock)
        {
            return [.. Requests];
        }
    }

    /// <summary>Waits (10 s at most) until <paramref name="count"/> requests came.</summary>
    public async Task<IReadOnlyList<Request>> WaitForAsync(int count)
    {
        for (var i = 0; i < 1000 && Received().Count < count; i++)
        {
            await Task.Delay(10);
        }

        return Received();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var raw = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(raw);
            var body = Encoding.UTF8.GetString(raw.ToArray());
            (int Status, string Body, string? RetryAfter) answer;
            lock (_lock)
            {
                Requests.Add(new Request(
                    context.Request.Url!.AbsolutePath,
                    context.Request.Headers.AllKeys.ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase),
                    body,
                    _clock.Elapsed) { Bytes = raw.ToArray() });
                answer = _script.Count > 0 ? _script.Dequeue() : (200, _defaultBody, null);
            }

            context.Response.StatusCode = answer.Status;
            if (answer.RetryAfter is not null)
            {
                context.Response.Headers["Retry-After"] = answer.RetryAfter;
            }

            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
