using Vigil.Avro;
using Vigil.Avro.Records;
using Vigil.Avro.Registry;
using Vigil.Detection;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Topics;

namespace Vigil.Cli.Configuration;

/// <summary>
/// The records' format on Kafka topics (<c>--value-format</c>) and, for Avro, the schema registry client's settings
/// (<c>--schema-registry</c>, a file of more, <c>SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO</c>).
/// </summary>
public sealed record ValueFormatSettings(ValueFormatSettings.Format ValueFormat, IReadOnlyDictionary<string, string> Registry)
{
    public static readonly ValueFormatSettings Json = new(Format.Json, new Dictionary<string, string>());

    public enum Format
    {
        Json,
        Avro,
    }

    public bool IsAvro => ValueFormat == Format.Avro;

    /// <summary>The registry's URL, for messages (never its credentials).</summary>
    public string RegistryUrl => Registry.GetValueOrDefault("schema.registry.url", string.Empty);

    public static ValueFormatSettings Read(LayeredConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        var format = read.Choice("Records:ValueFormat", Format.Json);
        var url = read.OptionalText("SchemaRegistry:Url");
        var file = read.OptionalText("SchemaRegistry:ConfigFile");
        var userInfo = read.OptionalText("SchemaRegistry:BasicAuthUserInfo");
        if (format == Format.Json)
        {
            return url is null && file is null
                ? Json
                : throw new UsageException("--schema-registry and --schema-registry-config-file are for --value-format avro");
        }

        if (url is null)
        {
            throw new UsageException("--value-format avro needs a schema registry: --schema-registry URL or SCHEMA_REGISTRY_URL (vigil kafka mock starts one and prints its URL)");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"invalid --schema-registry '{url}': expected an http:// or https:// URL such as http://127.0.0.1:8081");
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in file is null ? [] : KafkaProperties.Read(file, "--schema-registry-config-file"))
        {
            settings[key.StartsWith("schema.registry.", StringComparison.Ordinal) ? key : $"schema.registry.{key}"] = value;
        }

        settings["schema.registry.url"] = url;
        if (userInfo is not null)
        {
            settings["schema.registry.basic.auth.credentials.source"] = "USER_INFO";
            settings["schema.registry.basic.auth.user.info"] = userInfo;
        }

        return new ValueFormatSettings(format, settings);
    }

    /// <summary>A registry client for Avro; null for JSON.</summary>
    public RegistrySchemaSource? OpenRegistry() => IsAvro ? new RegistrySchemaSource(Registry) : null;

    /// <summary>What makes, for each Kafka reader of a stage, the Avro-to-JSON transcoder of the data topics; null for JSON topics.</summary>
    /// <param name="keepOriginal">Whether the JSON keeps the Avro record (the feature service's, for the detector behind it).</param>
    public static Func<IValueTranscoder>? Transcoders(ISchemaSource? registry, TopicOptions topics, bool keepOriginal = false)
    {
        ArgumentNullException.ThrowIfNull(topics);
        HashSet<string> data = [topics.Transactions, topics.Labels, topics.Identities, topics.Legit, topics.Fraud];
        return registry is null ? null : () => new AvroJsonTranscoder(registry, keepOriginal, data);
    }

    /// <summary>The detector's codec: Avro through the registry, or null for Vigil's JSON.</summary>
    /// <remarks>Behind the feature service (its featured topic is the input), the featured JSON in and Avro out.</remarks>
    public static IRecordCodec? Codec(ISchemaSource? registry, TopicOptions topics, int maxRecordBytes)
    {
        ArgumentNullException.ThrowIfNull(topics);
        return registry is null ? null
            : topics.Transactions == topics.Featured ? new FeaturedAvroCodec(registry, topics.Legit, topics.Fraud, maxRecordBytes)
            : new AvroRecordCodec(registry, topics.Legit, topics.Fraud, maxRecordBytes);
    }
}
