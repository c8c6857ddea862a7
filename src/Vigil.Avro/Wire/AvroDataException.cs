namespace Vigil.Avro.Wire;

/// <summary>Bytes that are not a value of the schema they claim.</summary>
public sealed class AvroDataException(string message) : Exception(message);
