using Avro;
using Vigil.Avro.Wire;

namespace Vigil.Avro.Records;

/// <summary>
/// A writer schema compiled for reading: each node knows how to step over its values, so that fields Vigil does not
/// need are skipped without being decoded. Named types are compiled once, so a recursive schema is a loop, not an endless tree.
/// </summary>
internal sealed class AvroType
{
    private AvroType(Schema.Type kind, string? logical)
    {
        Kind = kind;
        Logical = logical;
    }

    public Schema.Type Kind { get; }

    /// <summary>The logical type over the base type (<c>timestamp-millis</c>), or null.</summary>
    public string? Logical { get; }

    /// <summary>A fixed's size.</summary>
    public int Size { get; private set; }

    /// <summary>A union's branches, an array's items or a map's values (one), a record's fields.</summary>
    public AvroType[] Children { get; private set; } = [];

    /// <summary>A record's field names, in order; an enum's symbols.</summary>
    public string[] FieldNames { get; private set; } = [];

    public static AvroType Compile(Schema schema) => Compile(schema, new Dictionary<string, AvroType>(StringComparer.Ordinal));

    /// <summary>The union's branch of this kind, or -1; for a type that is not a union, 0 when it is of this kind.</summary>
    public int BranchOf(Schema.Type kind) => Kind == Schema.Type.Union ? Array.FindIndex(Children, c => c.Kind == kind) : Kind == kind ? 0 : -1;

    /// <summary>Steps over one value of this type.</summary>
    public void Skip(ref AvroReader reader, int depth = 0)
    {
        if (depth > 64)
        {
            throw new AvroDataException("values nest more than 64 deep");
        }

        switch (Kind)
        {
            case Schema.Type.Null:
                break;
            case Schema.Type.Boolean:
                reader.ReadBoolean();
                break;
            case Schema.Type.Int or Schema.Type.Long or Schema.Type.Enumeration:
                reader.ReadLong();
                break;
            case Schema.Type.Float:
                reader.Take(sizeof(float));
                break;
            case Schema.Type.Double:
                reader.Take(sizeof(double));
                break;
            case Schema.Type.Bytes or Schema.Type.String:
                reader.ReadBytes();
                break;
            case Schema.Type.Fixed:
                reader.Take(Size);
                break;
            case Schema.Type.Union:
                Children[reader.ReadBranch(Children.Length)].Skip(ref reader, depth + 1);
                break;
            case Schema.Type.Array or Schema.Type.Map:
                for (var count = reader.ReadBlockCount(); count > 0; count = reader.ReadBlockCount())
                {
                    for (var i = 0L; i < count; i++)
                    {
                        if (Kind == Schema.Type.Map)
                        {
                            reader.ReadBytes();
                        }

                        Children[0].Skip(ref reader, depth + 1);
                    }
                }

                break;
            default:
                foreach (var field in Children)
                {
                    field.Skip(ref reader, depth + 1);
                }

                break;
        }
    }

    private static AvroType Compile(Schema schema, Dictionary<string, AvroType> named)
    {
        if (schema is LogicalSchema logical)
        {
            var inner = Compile(logical.BaseSchema, named);
            return new AvroType(inner.Kind, logical.LogicalTypeName) { Size = inner.Size, Children = inner.Children, FieldNames = inner.FieldNames };
        }

        if (schema is NamedSchema { Fullname: var fullname } && named.TryGetValue(fullname, out var seen))
        {
            return seen;
        }

        var kind = schema.Tag == Schema.Type.Error ? Schema.Type.Record : schema.Tag;
        var type = new AvroType(kind, null);
        if (schema is NamedSchema namedSchema)
        {
            named[namedSchema.Fullname] = type;
        }

        switch (schema)
        {
            case FixedSchema fixedSchema:
                type.Size = fixedSchema.Size;
                break;
            case EnumSchema enumSchema:
                type.FieldNames = [.. enumSchema.Symbols];
                break;
            case UnionSchema union:
                type.Children = [.. union.Schemas.Select(s => Compile(s, named))];
                break;
            case ArraySchema array:
                type.Children = [Compile(array.ItemSchema, named)];
                break;
            case MapSchema map:
                type.Children = [Compile(map.ValueSchema, named)];
                break;
            case RecordSchema record:
                type.FieldNames = [.. record.Fields.Select(f => f.Name)];
                type.Children = [.. record.Fields.Select(f => Compile(f.Schema, named))];
                break;
        }

        return type;
    }
}
