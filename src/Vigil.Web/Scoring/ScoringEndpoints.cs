using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vigil.Models;
using Vigil.Web.Hosting;
using Vigil.Transactions;

namespace Vigil.Web.Scoring;

/// <summary>
/// The scoring routes, <c>POST /invocations</c>, <c>POST /v1/score</c> and <c>GET /v1/model</c>, for the model
/// server and for the pipeline's own web server. Bad requests are 400, bodies over 1 MiB 413, always with
/// <c>{"error":"…"}</c>.
/// </summary>
public sealed class ScoringEndpoints(TransactionScorer scorer)
{
    // An API, not HTML: rule versions such as "amount>=220" are written as they are.
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Each thread's answer buffer and writer, reset per request.</summary>
    private static readonly ThreadLocal<(ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)> Answer = new(() =>
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        return (buffer, new Utf8JsonWriter(buffer, Compact));
    });

    private readonly TransactionScorer _scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> _refused = new();

    /// <summary>Scoring requests refused so far, by status (400, 413, 415).</summary>
    public IEnumerable<(int Status, long Count)> Refused() => _refused.Select(r => (r.Key, r.Value));

    public void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapPost("/invocations", InvocationsAsync);
        routes.MapPost("/v1/score", ScoreAsync);
        routes.MapGet("/v1/model", ModelAsync);
    }

    private Task InvocationsAsync(HttpContext context) => HandleAsync(context, acceptsCsv: true, (body, csv, writer) =>
    {
        var model = _scorer.Model;
        var request = csv ? InvocationRequest.ParseCsv(body, _scorer.Columns) : InvocationRequest.Parse(body, _scorer.Columns);
        if (!request.Legacy)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("predictions");
        }

        writer.WriteStartArray();
        foreach (var row in request.Rows)
        {
            var score = model.Score(row);
            _scorer.Count(score, score >= model.Threshold);
            writer.WriteNumberValue(score >= model.Threshold ? 1 : 0);
        }

        writer.WriteEndArray();
        if (!request.Legacy)
        {
            writer.WriteEndObject();
        }
    });

    private Task ScoreAsync(HttpContext context)
    {
        var withFeatures = context.Request.Query.TryGetValue("features", out var flag) && flag == "true";
        return HandleAsync(context, acceptsCsv: false, (body, _, writer) => _scorer.Score(body, writer, withFeatures));
    }

    private Task ModelAsync(HttpContext context)
    {
        var model = _scorer.Model;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            version = model.Version,
            kind = model.Kind.Name(),
            threshold = model.Threshold,
            inputs = model.Inputs,
            columns = _scorer.Columns.Simple,
            features = model.Features.Definitions.Select(d => d.ToString()),
        });
    }

    /// <summary>
    /// Reads the body within the limit, answers 200 with what <paramref name="answer"/> writes (told whether the body
    /// is CSV), or 4xx with the reason.
    /// </summary>
    private async Task HandleAsync(HttpContext context, bool acceptsCsv, Action<ReadOnlyMemory<byte>, bool, Utf8JsonWriter> answer)
    {
        var response = context.Response;
        response.ContentType = "application/json";
        var contentType = context.Request.ContentType;
        var csv = acceptsCsv && IsType(contentType, "text/csv", suffix: null);
        if (!csv && !IsType(contentType, "application/json", suffix: "json"))
        {
            // As MLflow's scoring server: a form or text/plain body is what a cross-site page can send without asking.
            await ErrorAsync(response, StatusCodes.Status415UnsupportedMediaType,
                $"send the body as Content-Type: application/json{(acceptsCsv ? " or text/csv" : string.Empty)} in UTF-8 (got {(contentType is { } type ? TransactionLimits.Show(System.Text.Encoding.UTF8.GetBytes(type)) : "none")})");
            return;
        }

        if (context.Request.ContentLength > ScoringServer.MaxBodyBytes)
        {
            await ErrorAsync(response, StatusCodes.Status413PayloadTooLarge, $"the body is {context.Request.ContentLength:N0} bytes; the limit is {ScoringServer.MaxBodyBytes:N0}");
            return;
        }

        Body body;
        try
        {
            body = await ReadBodyAsync(context.Request, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ErrorAsync(response, StatusCodes.Status413PayloadTooLarge, $"the body is over the limit of {ScoringServer.MaxBodyBytes:N0} bytes");
            return;
        }
        catch (BadHttpRequestException e)
        {
            await ErrorAsync(response, e.StatusCode, $"the body cannot be read: {e.Message}");
            return;
        }

        using (body)
        {
            if (body.Length > ScoringServer.MaxBodyBytes)
            {
                await ErrorAsync(response, StatusCodes.Status413PayloadTooLarge, $"the body is over the limit of {ScoringServer.MaxBodyBytes:N0} bytes");
                return;
            }

            if (body.Length == 0)
            {
                await ErrorAsync(response, StatusCodes.Status400BadRequest, $"the body is empty: send {(csv ? "CSV" : "JSON")}");
                return;
            }

            var output = Answer.Value!;
            output.Buffer.ResetWrittenCount();
            output.Writer.Reset(output.Buffer);
            try
            {
                answer(body.Memory, csv, output.Writer);
                output.Writer.Flush();
            }
            catch (ScoringRequestException e)
            {
                await ErrorAsync(response, StatusCodes.Status400BadRequest, e.Message);
                return;
            }

            // The answer is copied out before the first await: after it this thread may serve another request.
            response.ContentLength = output.Buffer.WrittenCount;
            var written = output.Buffer.WrittenSpan;
            written.CopyTo(response.BodyWriter.GetSpan(written.Length));
            response.BodyWriter.Advance(written.Length);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>The media type (or one with the <paramref name="suffix"/>, as <c>+json</c>), in UTF-8 if a charset is given.</summary>
    private static bool IsType(string? contentType, string mediaType, string? suffix) =>
        string.Equals(contentType, mediaType, StringComparison.OrdinalIgnoreCase) // what clients send: no parsing
        || Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase) || (suffix is not null && type.Suffix.Equals(suffix, StringComparison.OrdinalIgnoreCase)))
        && (!type.Charset.HasValue || Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(type.Charset).Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>A request body in an array rented from the shared pool, returned on dispose.</summary>
    private readonly struct Body(byte[] array, int length) : IDisposable
    {
        public int Length => length;

        public ReadOnlyMemory<byte> Memory => array.AsMemory(0, length);

        public void Dispose() => ArrayPool<byte>.Shared.Return(array);
    }

    /// <summary>The whole body: read straight into a pooled array of the announced length, else gathered up to one byte over the limit.</summary>
    private static async Task<Body> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var length = request.ContentLength;
        var array = ArrayPool<byte>.Shared.Rent(length is { } announced ? (int)Math.Max(announced, 1) : 4096);
        var read = 0;
        try
        {
            while (read <= ScoringServer.MaxBodyBytes && read != length)
            {
                if (read == array.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(array.Length * 2);
                    array.AsSpan(0, read).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(array);
                    array = larger;
                }

                var n = await request.Body.ReadAsync(array.AsMemory(read), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(array);
            throw;
        }

        return new Body(array, read);
    }

    private Task ErrorAsync(HttpResponse response, int status, string message)
    {
        _refused.AddOrUpdate(status, 1, (_, count) => count + 1);
        return LocalWebApp.ErrorAsync(response, status, message);
    }
}
