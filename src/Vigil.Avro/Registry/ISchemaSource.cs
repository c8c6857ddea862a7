namespace Vigil.Avro.Registry;

/// <summary>Where writer schemas are fetched and output schemas registered: a schema registry, or a fixed set in tests.</summary>
public interface ISchemaSource
{
    /// <summary>The schema (Avro JSON) with this id.</summary>
    /// <exception cref="SchemaSourceException">Not found (<see cref="SchemaSourceException.NotFound"/>) or the source failed.</exception>
    string GetSchema(int id);

    /// <summary>Registers a schema under a subject (or finds it there) and returns its id.</summary>
    /// <exception cref="SchemaSourceException">The source refused or failed.</exception>
    int Register(string subject, string schema);
}

/// <summary>A schema source's failure; <see cref="NotFound"/> when it answered that the schema does not exist.</summary>
public sealed class SchemaSourceException(string message, bool notFound = false, Exception? inner = null) : Exception(message, inner)
{
    public bool NotFound { get; } = notFound;
}
