using Confluent.SchemaRegistry;

namespace Vigil.Avro.Registry;

/// <summary>
/// A Confluent Schema Registry through Confluent's client (its settings: <c>schema.registry.url</c>, basic auth, TLS),
/// called synchronously: the detector asks only for a schema id it has not seen, once.
/// </summary>
public sealed class RegistrySchemaSource : ISchemaSource, IDisposable
{
    private readonly CachedSchemaRegistryClient _client;
    private readonly TimeSpan _timeout;

    /// <param name="config">The client's settings, <c>schema.registry.url</c> at least.</param>
    public RegistrySchemaSource(IEnumerable<KeyValuePair<string, string>> config, TimeSpan? timeout = null)
    {
        _timeout = timeout ?? TimeSpan.FromSeconds(10);
        _client = new CachedSchemaRegistryClient(config);
    }

    public string GetSchema(int id) => Call(() => _client.GetSchemaAsync(id)).SchemaString;

    public int Register(string subject, string schema) => Call(() => _client.RegisterSchemaAsync(subject, new Schema(schema, SchemaType.Avro)));

    public void Dispose() => _client.Dispose();

    private T Call<T>(Func<Task<T>> call)
    {
        try
        {
            var task = call();
            return task.Wait(_timeout) ? task.Result : throw new SchemaSourceException($"the schema registry did not answer in {_timeout.TotalSeconds:0} s");
        }
        catch (AggregateException e) when (e.InnerException is SchemaRegistryException registry)
        {
            throw new SchemaSourceException(registry.Message, notFound: registry.ErrorCode is 40403 or 40401 or 40402, registry);
        }
        catch (AggregateException e) when (e.InnerException is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            throw new SchemaSourceException(e.InnerException!.Message, inner: e.InnerException);
        }
    }
}
