using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.Avro.Registry;

/// <summary>
/// A schema registry in memory on a loopback port, answering the subset of Confluent Schema Registry's REST API that
/// clients use: register a version, look a schema up by id or under a subject, list subjects and versions, test
/// compatibility, read and set the compatibility level (BACKWARD by default; NONE, BACKWARD, FORWARD, FULL and their
/// _TRANSITIVE forms). Avro schemas only. For demos and tests: nothing is kept when it stops.
/// </summary>
public sealed class InMemorySchemaRegistry : IAsyncDisposable
{
    private const string ContentType = "application/vnd.schemaregistry.v1+json";
    private static readonly string[] Levels = ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"];

    private readonly Lock _lock = new();
    private readonly List<(string Text, Schema Parsed)> _schemas = [];
    private readonly Dictionary<string, List<int>> _subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _levels = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private string _level = "BACKWARD";

    private InMemorySchemaRegistry(WebApplication app) => _app = app;

    /// <summary>Its base URL, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>Starts on 127.0.0.1 at the port (0 picks a free one).</summary>
    public static async Task<InMemorySchemaRegistry> StartAsync(int port = 0, CancellationToken cancel = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var registry = new InMemorySchemaRegistry(app);
        registry.Map(app);
        await app.StartAsync(cancel);
        registry.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return registry;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/", () => Answer(new JsonObject()));
        app.MapGet("/subjects", () => Answer(new JsonArray([.. Locked(() => _subjects.Keys.Order(StringComparer.Ordinal).Select(s => JsonValue.Create(s)).ToList())])));
        app.MapGet("/schemas/ids/{id:int}", (int id) => Locked(() => id > 0 && id <= _schemas.Count
            ? Answer(new JsonObject { ["schema"] = _schemas[id - 1].Text })
            : Error(404, 40403, "Schema not found")));
        app.MapGet("/subjects/{subject}/versions", (string subject) => Locked(() => _subjects.TryGetValue(subject, out var ids)
            ? Answer(new JsonArray([.. Enumerable.Range(1, ids.Count).Select(v => JsonValue.Create(v))]))
            : Error(404, 40401, "Subject not found")));
        app.MapGet("/subjects/{subject}/versions/{version}", (string subject, string version) => Locked(() => Version(subject, version)));
        app.MapPost("/subjects/{subject}/versions", async (string subject, HttpRequest request) => await WithSchema(request, schema => Locked(() => Register(subject, schema))));
        app.MapPost("/subjects/{subject}", async (string subject, HttpRequest request) => await WithSchema(request, schema => Locked(() => Lookup(subject, schema))));
        app.MapPost("/compatibility/subjects/{subject}/versions/{version}", async (string subject, string version, HttpRequest request) =>
            await WithSchema(request, schema => Locked(() => Compatibility(subject, version, schema))));
        app.MapGet("/config", () => Answer(new JsonObject { ["compatibilityLevel"] = Locked(() => _level) }));
        app.MapGet("/config/{subject}", (string subject) => Answer(new JsonObject { ["compatibilityLevel"] = Locked(() => LevelOf(subject)) }));
        app.MapPut("/config", async (HttpRequest request) => await SetLevel(request, null));
        app.MapPut("/config/{subject}", async (string subject, HttpRequest request) => await SetLevel(request, subject));
    }

    private IResult Register(string subject, Schema schema)
    {
        var ids = _subjects.GetValueOrDefault(subject) ?? [];
        var id = IdOf(schema);
        if (id is { } known && ids.Contains(known))
        {
            return Answer(new JsonObject { ["id"] = known });
        }

        if (Incompatible(subject, ids, schema) is { } why)
        {
            return Error(409, 409, $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\" ({LevelOf(subject)}): {why}");
        }

        if (id is null)
        {
            _schemas.Add((schema.ToString(), schema));
            id = _schemas.Count;
        }

        _subjects[subject] = [.. ids, id.Value];
        return Answer(new JsonObject { ["id"] = id });
    }

    private IResult Lookup(string subject, Schema schema)
    {
        if (!_subjects.TryGetValue(subject, out var ids))
        {
            return Error(404, 40401, "Subject not found");
        }

        var id = IdOf(schema);
        var at = id is null ? -1 : ids.IndexOf(id.Value);
        return at < 0 ? Error(404, 40403, "Schema not found") : Answer(Described(subject, at + 1, ids[at]));
    }

    private IResult Version(string subject, string version)
    {
        if (!_subjects.TryGetValue(subject, out var ids))
        {
            return Error(404, 40401, "Subject not found");
        }

        var number = version == "latest" ? ids.Count : int.TryParse(version, out var n) ? n : 0;
        return number >= 1 && number <= ids.Count ? Answer(Described(subject, number, ids[number - 1])) : Error(404, 40402, "Version not found");
    }

    private IResult Compatibility(string subject, string version, Schema schema)
    {
        var ids = _subjects.GetValueOrDefault(subject) ?? [];
        if (version != "latest" && !(int.TryParse(version, out var n) && n >= 1 && n <= ids.Count))
        {
            return Error(404, 40402, "Version not found");
        }

        var against = version == "latest" ? ids : [ids[int.Parse(version, System.Globalization.CultureInfo.InvariantCulture) - 1]];
        return Answer(new JsonObject { ["is_compatible"] = Incompatible(subject, against, schema) is null });
    }

    /// <summary>Why the schema breaks the subject's compatibility level against its versions, or null.</summary>
    private string? Incompatible(string subject, List<int> ids, Schema schema)
    {
        var level = LevelOf(subject);
        if (level == "NONE" || ids.Count == 0)
        {
            return null;
        }

        var against = level.EndsWith("_TRANSITIVE", StringComparison.Ordinal) ? ids : [ids[^1]];
        foreach (var id in against)
        {
            var earlier = _schemas[id - 1].Parsed;
            if (level.StartsWith("BACKWARD", StringComparison.Ordinal) || level.StartsWith("FULL", StringComparison.Ordinal))
            {
                if (!schema.CanRead(earlier))
                {
                    return $"it cannot read data written with schema {id}";
                }
            }

            if (level.StartsWith("FORWARD", StringComparison.Ordinal) || level.StartsWith("FULL", StringComparison.Ordinal))
            {
                if (!earlier.CanRead(schema))
                {
                    return $"schema {id} cannot read data written with it";
                }
            }
        }

        return null;
    }

    private int? IdOf(Schema schema)
    {
        var canonical = schema.ToString();
        var at = _schemas.FindIndex(s => s.Text == canonical);
        return at < 0 ? null : at + 1;
    }

    private JsonObject Described(string subject, int version, int id) =>
        new() { ["subject"] = subject, ["version"] = version, ["id"] = id, ["schema"] = _schemas[id - 1].Text };

    private string LevelOf(string subject) => _levels.GetValueOrDefault(subject, _level);

    private async Task<IResult> SetLevel(HttpRequest request, string? subject)
    {
        var body = await ReadBody(request);
        var level = body?["compatibility"]?.GetValue<string>()?.ToUpperInvariant();
        if (level is null || !Levels.Contains(level))
        {
            return Error(422, 42203, $"Invalid compatibility level: expected one of {string.Join(", ", Levels)}");
        }

        Locked(() => subject is null ? _level = level : _levels[subject] = level);
        return Answer(new JsonObject { ["compatibility"] = level });
    }

    /// <summary>Reads a request's <c>{"schema": "..."}</c>; a body that is not one, or a schema that does not parse, is 422.</summary>
    private static async Task<IResult> WithSchema(HttpRequest request, Func<Schema, IResult> then)
    {
        var body = await ReadBody(request);
        if (body?["schema"] is not JsonValue text || !text.TryGetValue<string>(out var schemaText))
        {
            return Error(422, 42201, "Invalid schema: the body is {\"schema\": \"...\"}");
        }

        if (body["schemaType"]?.GetValue<string>() is { } type && type != "AVRO")
        {
            return Error(422, 42201, $"Invalid schema: this registry keeps Avro schemas, not {type}");
        }

        try
        {
            return then(Schema.Parse(schemaText));
        }
        catch (Exception e) when (e is SchemaParseException or AvroException or Newtonsoft.Json.JsonException)
        {
            return Error(422, 42201, $"Invalid schema: {e.Message}");
        }
    }

    private static async Task<JsonObject?> ReadBody(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private T Locked<T>(Func<T> action)
    {
        lock (_lock)
        {
            return action();
        }
    }

    private static IResult Answer(JsonNode body) => Results.Text(body.ToJsonString(), ContentType);

    private static IResult Error(int status, int code, string message) =>
        Results.Text(new JsonObject { ["error_code"] = code, ["message"] = message }.ToJsonString(), ContentType, statusCode: status);
}
