using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vigil.Learning.Retraining;
using Vigil.Runtime.Quality;
using Vigil.Store.Audit;
using Vigil.Web.Hosting;
using Vigil.Web.Security;

namespace Vigil.Cases;

/// <summary>
/// The models the retraining loop trained, and promoting one by hand: <c>GET /api/models</c> lists them (the view role
/// may); <c>POST /api/models/{number}/promote</c> (<c>{"note": "…"}</c>) puts one to decide from now on, the challenger
/// before its verdict or an earlier model back, and needs the analyst role where the server takes keys. Each promotion
/// is written to the audit trail (<c>model 5</c>: promote, and the champion it replaced: retire) with who did it. Bad
/// input is 400 (415 for a body that is not JSON, 413 over 64 KiB), an unknown model 404, the deciding one 409.
/// </summary>
public sealed class ModelEndpoints(RetrainingLoop loop, AuditTrail audit)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet(ApiAccess.ModelsPath, ListAsync);
        routes.MapPost(ApiAccess.ModelsPath + "/{number}/promote", PromoteAsync);
    }

    /// <summary>The subject the audit trail names a model by.</summary>
    public static string Subject(int number) => string.Create(CultureInfo.InvariantCulture, $"model {number}");

    private Task ListAsync(HttpContext context)
    {
        var status = loop.Status();
        return Results.Json(new { status.State, Champion = status.Champion?.Number, Challenger = status.Challenger?.Number, status.Models }, RetrainingStatus.Json)
            .ExecuteAsync(context);
    }

    private async Task PromoteAsync(HttpContext context)
    {
        if (!int.TryParse(context.Request.RouteValues["number"] as string, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status400BadRequest, "a model is named by its number: /api/models/3/promote");
            return;
        }

        if (await ReviewEndpoints.BodyAsync(context) is not { } body)
        {
            return;
        }

        if (!ReviewEndpoints.TryNote(body, out var note))
        {
            await LocalWebApp.ErrorAsync(context.Response, StatusCodes.Status400BadRequest, $"note is text of at most {ReviewEndpoints.MaxNoteLength} characters");
            return;
        }

        await ReviewEndpoints.AnswerAsync(context, () => Promote(number, ApiAccess.Actor(context), note), RetrainingStatus.Json);
    }

    /// <summary>Promotes the model and writes both changes to the audit trail; what the route answers.</summary>
    private object Promote(int number, string actor, string? note)
    {
        var promotion = loop.Promote(number, actor, note);
        audit.Append(actor, "promote", Subject(number), Text(promotion.Before), Text(ModelState.Champion), string.IsNullOrWhiteSpace(note) ? null : note.Trim());
        if (promotion.Replaced is { } replaced)
        {
            audit.Append(actor, "retire", Subject(replaced.Number), Text(ModelState.Champion), Text(replaced.State), $"replaced by {promotion.Model.Version}");
        }

        return new { promotion.Model, promotion.Replaced };
    }

    private static string Text(ModelState state) => JsonNamingPolicy.SnakeCaseLower.ConvertName(state.ToString());
}
