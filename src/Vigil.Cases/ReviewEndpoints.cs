using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vigil.Learning.Retraining;
using Vigil.Store.Cases;
using Vigil.Web.Hosting;
using Vigil.Web.Security;

namespace Vigil.Cases;

/// <summary>
/// The review queue's routes, all under <c>/api/cases</c> and all needing the analyst role when the server takes keys:
/// <c>GET /api/cases</c> (the queue: <c>status</c>, <c>assignee</c>, <c>sort</c>, <c>limit</c>, <c>offset</c>),
/// <c>GET /api/cases/{id}</c> (a case with its alerts, the card's other cases and its audit trail),
/// <c>POST /api/cases/{id}/assign</c> (<c>{"assignee": "alice"}</c>), <c>POST /api/cases/{id}/verdict</c>
/// (<c>{"verdict": "fraud"|"genuine", "note": "…"}</c>) and <c>GET /api/cases/audit</c>. Bad input is 400 (415 for a
/// body that is not JSON, 413 over 64 KiB), an unknown case 404, a case decided already 409; always with <c>{"error": "…"}</c>.
/// Who acted is the key's name (or role), recorded in the audit trail.
/// </summary>
public sealed class ReviewEndpoints(CaseReview queue)
{
    /// <summary>Largest body a review request may send.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Longest note an analyst may write.</summary>
    public const int MaxNoteLength = 4000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/api/cases", ListAsync);
        routes.MapGet("/api/cases/audit", AuditAsync);
        routes.MapGet("/api/cases/{id}", FindAsync);
        routes.MapPost("/api/cases/{id}/assign", AssignAsync);
        routes.MapPost("/api/cases/{id}/verdict", DecideAsync);
    }

    private Task ListAsync(HttpContext context)
    {
        var query = context.Request.Query;
        string? error = null;
        var status = Parse(query["status"], "status", "open", s => s == "all" ? (CaseStatus?)null : Named<CaseStatus>(s, "open, fraud, genuine or all"), ref error);
        var order = Parse(query["sort"], "sort", "priority", s => Named<CaseOrder>(s, "priority, newest, alerts or amount"), ref error);
        var limit = Parse(query["limit"], "limit", "50", s => Whole(s, 1, 500), ref error);
        var offset = Parse(query["offset"], "offset", "0", s => Whole(s, 0, int.MaxValue), ref error);
        if (error is not null)
        {
            return LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status400BadRequest, error);
        }

        var assignee = query["assignee"].ToString() is { Length: > 0 } a ? a : null;
        var page = queue.List(new CaseQuery(status, assignee, order, limit, offset));
        var (fraud, genuine) = queue.Given;
        var beyond = queue.Capacity is { } capacity && status == CaseStatus.Open && order == CaseOrder.Priority ? capacity : int.MaxValue;
        return Results.Json(new
        {
            page.Matching,
            page.Counts,
            queue.Capacity,
            BeyondCapacity = queue.Capacity is { } c ? Math.Max(0, page.Counts.Open - c) : 0,
            VerdictsHere = new { Fraud = fraud, Genuine = genuine },
            Cases = page.Cases.Select((c, i) => Summary(c, beyond == int.MaxValue ? null : (long)offset + i < beyond)),
        }, Json).ExecuteAsync(context);
    }

    private Task FindAsync(HttpContext context)
    {
        if (Id(context) is not { } id)
        {
            return NotACaseAsync(context);
        }

        if (queue.Find(id) is not { } found)
        {
            return LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status404NotFound, $"there is no case {id}");
        }

        return Results.Json(new
        {
            Case = Summary(found.Case, null),
            Alerts = found.Alerts.Select(a => new { a.TransactionId, At = Iso(a.AtMs), a.Terminal, a.Amount, a.Score, a.Reasons, Record = Record(a.Record) }),
            CardHistory = found.CardHistory.Select(c => Summary(c, null)),
            found.Audit,
        }, Json).ExecuteAsync(context);
    }

    private Task AuditAsync(HttpContext context) => Results.Json(new { Audit = queue.Store.AuditTrail() }, Json).ExecuteAsync(context);

    private async Task AssignAsync(HttpContext context)
    {
        if (Id(context) is not { } id)
        {
            await NotACaseAsync(context);
            return;
        }

        if (await BodyAsync(context) is not { } body)
        {
            return;
        }

        string? assignee = null;
        if (body.TryGetProperty("assignee", out var given) && given.ValueKind is not JsonValueKind.Null)
        {
            assignee = given.ValueKind == JsonValueKind.String ? given.GetString()!.Trim() : null;
            if (assignee is null || assignee.Length > ApiKeys.MaxNameLength || !assignee.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@' or ' '))
            {
                await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status400BadRequest,
                    $"assignee is a name of at most {ApiKeys.MaxNameLength} letters, digits, spaces, '.', '_', '-' or '@' (null or \"\" for nobody)");
                return;
            }
        }
        else if (!body.TryGetProperty("assignee", out _))
        {
            await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status400BadRequest, "send {\"assignee\": \"NAME\"} (null for nobody)");
            return;
        }

        await AnswerAsync(context, () => Summary(queue.Assign(id, assignee, ApiAccess.Actor(context)), null));
    }

    private async Task DecideAsync(HttpContext context)
    {
        if (Id(context) is not { } id)
        {
            await NotACaseAsync(context);
            return;
        }

        if (await BodyAsync(context) is not { } body)
        {
            return;
        }

        var verdict = body.TryGetProperty("verdict", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (verdict is not ("fraud" or "genuine"))
        {
            await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status400BadRequest, "verdict must be \"fraud\" or \"genuine\"");
            return;
        }

        if (!TryNote(body, out var note))
        {
            await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status400BadRequest, $"note is text of at most {MaxNoteLength} characters");
            return;
        }

        await AnswerAsync(context, () => Summary(queue.Decide(id, verdict == "fraud", note, ApiAccess.Actor(context)), null));
    }

    /// <summary>Runs a change and answers with its result: 404 for an unknown case or model, 409 for a case decided already or the model deciding already.</summary>
    internal static async Task AnswerAsync(HttpContext context, Func<object> change, JsonSerializerOptions? json = null)
    {
        object result;
        try
        {
            result = change();
        }
        catch (KeyNotFoundException e)
        {
            await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status404NotFound, e.Message);
            return;
        }
        catch (Exception e) when (e is CaseConflictException or ModelConflictException)
        {
            await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status409Conflict, e.Message);
            return;
        }

        await Results.Json(result, json ?? Json).ExecuteAsync(context);
    }

    /// <summary>The note of a request's body: absent or null is none; false when it is not text of at most <see cref="MaxNoteLength"/> characters.</summary>
    internal static bool TryNote(JsonElement body, out string? note)
    {
        note = null;
        if (!body.TryGetProperty("note", out var given) || given.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        note = given.ValueKind == JsonValueKind.String ? given.GetString() : null;
        return note is not null && note.Length <= MaxNoteLength;
    }

    /// <summary>The request's JSON object; null when it answered 413, 415 or 400 itself.</summary>
    internal static async Task<JsonElement?> BodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status415UnsupportedMediaType, "send a JSON object (Content-Type: application/json)");
            return null;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status413PayloadTooLarge, $"a review request is at most {MaxBodyBytes / 1024} KiB");
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status413PayloadTooLarge, $"a review request is at most {MaxBodyBytes / 1024} KiB");
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document.RootElement.Clone();
            }
        }
        catch (JsonException)
        {
        }

        await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status400BadRequest, "the body is not a JSON object");
        return null;
    }

    private static long? Id(HttpContext context) =>
        long.TryParse(context.Request.RouteValues["id"] as string, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    private static Task NotACaseAsync(HttpContext context) =>
        LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status400BadRequest, "a case is named by its number: /api/cases/12");

    /// <summary>Reads a query parameter; the first one that cannot be read sets <paramref name="error"/>, and the rest are not read.</summary>
    private static T Parse<T>(Microsoft.Extensions.Primitives.StringValues given, string name, string fallback, Func<string, T> parse, ref string? error)
    {
        if (error is not null)
        {
            return default!;
        }

        var text = given.Count == 0 || string.IsNullOrEmpty(given[0]) ? fallback : given[0]!.Trim().ToLowerInvariant();
        try
        {
            return parse(text);
        }
        catch (FormatException e)
        {
            error = $"{name} must be {e.Message}";
            return default!;
        }
    }

    private static T Named<T>(string text, string expected)
        where T : struct, Enum =>
        !int.TryParse(text, out _) && Enum.TryParse<T>(text, ignoreCase: true, out var value) ? value : throw new FormatException(expected);

    private static int Whole(string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new FormatException(max == int.MaxValue ? $"a whole number, {min} or more" : $"a whole number from {min} to {max}");

    private static object Summary(CaseSummary c, bool? withinCapacity) => new
    {
        c.Id,
        c.Card,
        Status = CaseStore.Text(c.Status),
        OpenedAt = Iso(c.OpenedAtMs),
        LastAlertAt = Iso(c.LastAlertAtMs),
        c.Alerts,
        c.Amount,
        c.Priority,
        c.Assignee,
        c.DecidedBy,
        c.DecidedAt,
        c.Note,
        WithinCapacity = withinCapacity,
    };

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static object Record(string record)
    {
        try
        {
            using var document = JsonDocument.Parse(record);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return record;
        }
    }
}
