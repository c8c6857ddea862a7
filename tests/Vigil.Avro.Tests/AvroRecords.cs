using Avro;
using Avro.Generic;
using Avro.IO;
using Vigil.Avro.Wire;

namespace Vigil.Avro.Tests;

/// <summary>Records written and read by Apache.Avro's generic datum writer and reader, framed as Confluent frames them: an encoder Vigil did not write.</summary>
internal static class AvroRecords
{
    public static byte[] Write(int schemaId, string schemaText, Action<GenericRecord> fill)
    {
        var schema = (RecordSchema)Schema.Parse(schemaText);
        var record = new GenericRecord(schema);
        foreach (var field in schema.Fields)
        {
            record.Add(field.Name, null);
        }

        fill(record);
        using var stream = new MemoryStream();
        stream.Write([0, .. BitConverter.IsLittleEndian ? BitConverter.GetBytes(schemaId).Reverse() : BitConverter.GetBytes(schemaId)]);
        new GenericDatumWriter<GenericRecord>(schema).Write(record, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    /// <summary>Reads a framed record with its writer schema, resolved to a reader schema (the writer's when null).</summary>
    public static GenericRecord Read(byte[] framed, string writerSchema, string? readerSchema = null)
    {
        Assert.True(ConfluentFrame.TryReadSchemaId(framed, out _));
        var writer = Schema.Parse(writerSchema);
        var reader = new GenericDatumReader<GenericRecord>(writer, readerSchema is null ? writer : Schema.Parse(readerSchema));
        using var stream = new MemoryStream(framed, ConfluentFrame.HeaderLength, framed.Length - ConfluentFrame.HeaderLength);
        var record = reader.Read(null!, new BinaryDecoder(stream));
        Assert.Equal(stream.Length, stream.Position); // the whole record, nothing left over
        return record;
    }

    public static int SchemaId(byte[] framed) => ConfluentFrame.TryReadSchemaId(framed, out var id) ? id : throw new InvalidOperationException("not framed");
}
