namespace Vigil.Avro.Registry;

/// <summary>
/// A schema source that, once the registry failed to answer, fails at once for <see cref="SchemaCache.RetryAfter"/>
/// instead of letting every new schema id wait for it in turn: a registry outage never holds a partition for longer
/// than one timeout.
/// </summary>
internal sealed class GuardedSchemaSource(ISchemaSource source, TimeProvider time) : ISchemaSource
{
    private long _downUntil = long.MinValue;
    private string _why = string.Empty;

    public string GetSchema(int id) => Call(() => source.GetSchema(id));

    public int Register(string subject, string schema) => Call(() => source.Register(subject, schema));

    private T Call<T>(Func<T> call)
    {
        if (time.GetTimestamp() < _downUntil)
        {
            throw new SchemaSourceException($"{_why} (not asked again for {SchemaCache.RetryAfter.TotalSeconds:0} s)");
        }

        try
        {
            return call();
        }
        catch (SchemaSourceException e) when (!e.NotFound)
        {
            _why = e.Message;
            _downUntil = time.GetTimestamp() + (long)(SchemaCache.RetryAfter.TotalSeconds * time.TimestampFrequency);
            throw;
        }
    }
}
