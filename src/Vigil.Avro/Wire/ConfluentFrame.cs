using System.Buffers.Binary;

namespace Vigil.Avro.Wire;

/// <summary>Confluent's wire format: a magic byte 0, the schema's registry id (4 bytes, big-endian), then the Avro binary.</summary>
public static class ConfluentFrame
{
    public const int HeaderLength = 5;

    public static bool TryReadSchemaId(ReadOnlySpan<byte> value, out int schemaId)
    {
        schemaId = 0;
        if (value.Length < HeaderLength || value[0] != 0)
        {
            return false;
        }

        schemaId = BinaryPrimitives.ReadInt32BigEndian(value[1..]);
        return true;
    }

    public static void WriteHeader(int schemaId, Span<byte> destination)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteInt32BigEndian(destination[1..], schemaId);
    }
}
