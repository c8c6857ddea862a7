using System.Reflection;

namespace Vigil.Avro;

/// <summary>Vigil's Avro schemas (src/Vigil.Avro/Schemas/*.avsc), as registered and as docs/AVRO.md shows them.</summary>
public static class AvroSchemas
{
    public static string Transaction { get; } = Read("transaction.avsc");

    public static string Label { get; } = Read("label.avsc");

    public static string Identity { get; } = Read("identity.avsc");

    public static string Decision { get; } = Read("decision.avsc");

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the schema {name} is not built into Vigil.Avro");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
