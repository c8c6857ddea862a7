using Vigil.Avro.Registry;

namespace Vigil.Avro.Tests;

/// <summary>A schema source over a dictionary, counting its calls; <see cref="Down"/> makes every call fail as an unreachable registry.</summary>
internal sealed class FixedSchemas : ISchemaSource
{
    private readonly Dictionary<int, string> _schemas = [];
    private readonly Dictionary<string, int> _ids = [];

    public bool Down { get; set; }

    public int Fetches { get; private set; }

    public Dictionary<string, List<int>> Subjects { get; } = [];

    public int Add(string schema)
    {
        if (!_ids.TryGetValue(schema, out var id))
        {
            id = _ids[schema] = 100 + _ids.Count;
            _schemas[id] = schema;
        }

        return id;
    }

    public string Get(int id) => _schemas[id];

    public string GetSchema(int id)
    {
        Fetches++;
        return Down ? throw new SchemaSourceException("connection refused")
            : _schemas.TryGetValue(id, out var schema) ? schema
            : throw new SchemaSourceException($"schema {id} not found", notFound: true);
    }

    public int Register(string subject, string schema)
    {
        if (Down)
        {
            throw new SchemaSourceException("connection refused");
        }

        var id = Add(schema);
        if (!Subjects.TryGetValue(subject, out var versions))
        {
            Subjects[subject] = versions = [];
        }

        if (!versions.Contains(id))
        {
            versions.Add(id);
        }

        return id;
    }
}
