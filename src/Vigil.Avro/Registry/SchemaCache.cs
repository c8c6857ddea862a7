using Vigil.Avro.Records;
using Vigil.Transactions;

namespace Vigil.Avro.Registry;

/// <summary>
/// Writer schemas by id, compiled into plans, each with the ids of its decided records' schema on the legit and fraud
/// topics. Every id costs the registry one fetch and two registrations; a failure is remembered for
/// <see cref="RetryAfter"/> (an unknown id or an unreachable registry) or for good (a schema Vigil cannot read), so that
/// records of that id go to the dead letters at once instead of each waiting for the registry.
/// </summary>
/// <param name="featured">Whether the decided records carry the feature service's features (<see cref="TransactionPlan.FeaturedOutputSchema"/>).</param>
internal sealed class SchemaCache(ISchemaSource registry, string legitTopic, string fraudTopic, TimeProvider time, bool featured = false)
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

    /// <summary>Failures remembered at most: records with made-up schema ids must not fill the memory.</summary>
    public const int MaxFailures = 10_000;

    private readonly Dictionary<int, Entry> _entries = [];
    private readonly GuardedSchemaSource _source = new(registry, time);
    private int _failures;

    /// <summary>A schema id's plan and output ids, or why its records cannot be read.</summary>
    public sealed record Entry(TransactionPlan? Plan, int LegitId, int FraudId, DecodeFailure? Failure, long RetryAt);

    public Entry Resolve(int id)
    {
        if (_entries.TryGetValue(id, out var entry) && (entry.Failure is null || time.GetTimestamp() < entry.RetryAt))
        {
            return entry;
        }

        if (_failures >= MaxFailures)
        {
            foreach (var (failed, _) in _entries.Where(e => e.Value.Failure is not null).ToList())
            {
                _entries.Remove(failed);
            }

            _failures = 0;
        }

        entry = _entries[id] = Fetch(id);
        _failures += entry.Failure is null ? 0 : 1;
        return entry;
    }

    private Entry Fetch(int id)
    {
        string text;
        try
        {
            text = _source.GetSchema(id);
        }
        catch (SchemaSourceException e)
        {
            return Failed(e.NotFound
                ? new(DecodeError.SchemaUnknown, $"the schema registry has no schema {id}")
                : new(DecodeError.SchemaUnavailable, $"schema {id} could not be fetched: {e.Message}"), retry: true);
        }

        TransactionPlan plan;
        try
        {
            plan = TransactionPlan.Compile(text);
        }
        catch (NotSupportedException e)
        {
            return Failed(new(DecodeError.SchemaUnsupported, $"schema {id}: {e.Message}"), retry: false);
        }

        var output = featured ? plan.FeaturedOutputSchema : plan.OutputSchema;
        if (output is null)
        {
            return Failed(new(DecodeError.SchemaUnsupported, $"schema {id} has a field named features already, where the feature service's features go"), retry: false);
        }

        try
        {
            return new Entry(plan, _source.Register($"{legitTopic}-value", output), _source.Register($"{fraudTopic}-value", output), null, 0);
        }
        catch (SchemaSourceException e)
        {
            return Failed(new(DecodeError.SchemaUnavailable, $"the decided records' schema for schema {id} could not be registered: {e.Message}"), retry: true);
        }
    }

    private Entry Failed(DecodeFailure failure, bool retry) =>
        new(null, 0, 0, failure, retry ? time.GetTimestamp() + (long)(RetryAfter.TotalSeconds * time.TimestampFrequency) : long.MaxValue);
}
