using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Vigil.Web.Security;

/// <summary>
/// Lets a request through when it carries a key whose role may use the route: <c>Authorization: Bearer KEY</c>,
/// <c>X-API-Key: KEY</c>, or the cookie the dashboard's sign-in sets (a browser's event stream cannot send headers).
/// No key: 401; an unknown key: 401; a key whose role may not use the route: 403; always with a JSON error, and counted.
/// </summary>
/// <remarks>Probes (<c>/healthz</c>, <c>/readyz</c>, <c>/ping</c>, <c>/health</c>, <c>/version</c>) and the sign-in page are open.</remarks>
public sealed class ApiAccess
{
    public const string CookieName = "vigil_api_key";

    private static readonly StringValues Challenge = "Bearer realm=\"vigil\"";

    /// <summary>Most keys remembered as verified; past it the memory starts over.</summary>
    private const int MaxVerified = 256;

    private readonly WebSecurity _security;

    /// <summary>
    /// Keys already verified, so that a client's every request costs a lookup (0.09 µs) rather than a SHA-256 and the
    /// comparisons (1.2 µs, 3.5 % of the 34 µs of CPU a <c>/v1/score</c> request takes; ApiAccessBenchmarks). Only keys
    /// that verified are kept, so a lookup's timing tells a guesser nothing the answer does not; .NET's randomized string
    /// hashing keeps the buckets out of a guesser's reach.
    /// </summary>
    private readonly ConcurrentDictionary<string, ApiIdentity> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ApiIdentity>.AlternateLookup<ReadOnlySpan<char>> _verifiedBySpan;
    private readonly ConcurrentDictionary<string, long> _failures = new(StringComparer.Ordinal);

    public ApiAccess(WebSecurity security)
    {
        ArgumentNullException.ThrowIfNull(security);
        _security = security;
        _verifiedBySpan = _verified.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Requests refused so far by this server.</summary>
    public long Failures => _failures.Values.Sum();

    /// <summary>Requests refused so far, by reason (<c>missing</c>, <c>invalid</c>, <c>forbidden</c>).</summary>
    public IEnumerable<(string Reason, long Count)> FailuresByReason() => _failures.Select(f => (f.Key, f.Value));

    /// <summary>Where the review queue's routes start: all of them need <see cref="ApiRole.Analyst"/>.</summary>
    public const string CasesPath = "/api/cases";

    /// <summary>Where the routes about the retraining loop's models start: promoting one by hand needs <see cref="ApiRole.Analyst"/>.</summary>
    public const string ModelsPath = "/api/models";

    private const string IdentityItem = "vigil.identity";

    /// <summary>
    /// The role a route needs, or null for an open one. The review queue (<see cref="CasesPath"/>) and changes to the
    /// models (<see cref="ModelsPath"/>, promoting one) need <see cref="ApiRole.Analyst"/>; unknown GET routes need
    /// <see cref="ApiRole.View"/>, anything else <see cref="ApiRole.Admin"/>.
    /// </summary>
    public static ApiRole? Required(string method, string? path, bool openMetrics) => path switch
    {
        "/healthz" or "/readyz" or "/ping" or "/health" or "/version" or "/login" or "/login.css" => null,
        "/metrics" when openMetrics => null,
        "/v1/score" or "/invocations" => ApiRole.Score,
        _ when path is not null && (path == CasesPath || path.StartsWith(CasesPath + "/", StringComparison.Ordinal)) => ApiRole.Analyst,
        _ when path is not null && path.StartsWith(ModelsPath + "/", StringComparison.Ordinal) && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) => ApiRole.Analyst,
        _ when HttpMethods.IsGet(method) || HttpMethods.IsHead(method) => ApiRole.View,
        _ => ApiRole.Admin,
    };

    /// <summary>Whether a key of role <paramref name="granted"/> may use a route that needs <paramref name="required"/>: an analyst may also view.</summary>
    public static bool Allows(ApiRole granted, ApiRole required) =>
        granted == ApiRole.Admin || granted == required || (granted == ApiRole.Analyst && required == ApiRole.View);

    /// <summary>Who made a request the server let through, for the audit trail: the key's name (or its role), or <see cref="ApiIdentity.Local"/> on a server without keys.</summary>
    public static string Actor(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(IdentityItem, out var identity) && identity is ApiIdentity known ? known.Actor : ApiIdentity.Local;
    }

    /// <summary>Answers the request itself (401, 403, or the sign-in redirect) and returns false, or returns true to let it through.</summary>
    public async ValueTask<bool> AdmitAsync(HttpContext context)
    {
        if (_security.Keys.IsEmpty)
        {
            return true; // served on loopback only, or --insecure: checked when the server was made
        }

        var request = context.Request;
        if (Required(request.Method, request.Path.Value, _security.OpenMetrics) is not { } required)
        {
            return true;
        }

        var presented = Presented(request);
        if (presented.IsEmpty)
        {
            if (IsPersonAtTheDashboard(request))
            {
                context.Response.Redirect("/login"); // not counted as a failure
                return false;
            }

            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "missing",
                $"{request.Method} {request.Path} needs an API key with role {Name(required)}: send Authorization: Bearer KEY or X-API-Key: KEY");
            return false;
        }

        var identity = _verifiedBySpan.TryGetValue(presented, out var known) ? known : Verify(presented);
        if (identity is not { Role: var role })
        {
            if (IsPersonAtTheDashboard(request))
            {
                Count("invalid");
                context.Response.Redirect("/login"); // a cookie from before the keys changed: sign in again
                return false;
            }

            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "invalid", "the API key is not valid");
            return false;
        }

        if (!Allows(role, required))
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "forbidden",
                $"an API key with role {Name(role)} may not {request.Method} {request.Path}: it needs role {Name(required)}");
            return false;
        }

        context.Items[IdentityItem] = identity.Value;
        return true;
    }

    /// <summary>
    /// Checks the key a person typed at the sign-in page: one that may view sets the cookie (the key itself, sent back
    /// only to this server) and returns null; another is counted and its status and reason returned.
    /// </summary>
    public (int Status, string Reason)? SignIn(HttpContext context, string key)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_security.Keys.Authenticate(key) is not { } role)
        {
            Count("invalid");
            return (StatusCodes.Status401Unauthorized, "the API key is not valid");
        }

        if (!Allows(role, ApiRole.View))
        {
            Count("forbidden");
            return (StatusCodes.Status403Forbidden, $"an API key with role {Name(role)} cannot open the dashboard: it needs role view, analyst or admin");
        }

        context.Response.Cookies.Append(CookieName, key, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
        });
        return null;
    }

    private ApiIdentity? Verify(ReadOnlySpan<char> presented)
    {
        var identity = _security.Keys.Identify(presented);
        if (identity is { } verified)
        {
            if (_verified.Count >= MaxVerified)
            {
                _verified.Clear();
            }

            _verifiedBySpan.TryAdd(presented, verified);
        }

        return identity;
    }

    public static string Name(ApiRole role) => role switch
    {
        ApiRole.Score => "score",
        ApiRole.View => "view",
        ApiRole.Admin => "admin",
        ApiRole.Analyst => "analyst",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown role"),
    };

    private static bool IsPersonAtTheDashboard(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path == "/" && request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal);

    private static ReadOnlySpan<char> Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count == 1 && authorization[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return value.AsSpan(7).Trim();
        }

        if (request.Headers.TryGetValue("X-API-Key", out var key) && key.Count == 1)
        {
            return key[0].AsSpan().Trim();
        }

        return request.Cookies.TryGetValue(CookieName, out var cookie) ? cookie.AsSpan() : [];
    }

    private async Task RefuseAsync(HttpContext context, int status, string reason, string message)
    {
        Count(reason);
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = Challenge;
        }

        await Hosting.LocalWebApp.ErrorAsync(context.Response, status, message);
    }

    private void Count(string reason)
    {
        _failures.AddOrUpdate(reason, 1, (_, count) => count + 1);
    }
}
