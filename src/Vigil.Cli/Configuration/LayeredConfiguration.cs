using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;

namespace Vigil.Cli.Configuration;

/// <summary>
/// Vigil's configuration, lowest precedence first: defaults, the config file, <c>VIGIL_*</c> environment variables,
/// the seed tutorials' environment variables (<c>TRANSACTIONS_PER_SECOND</c>, …), command-line flags.
/// Remembers where each value came from, so that an error can name the flag, variable or file to fix.
/// </summary>
public sealed class LayeredConfiguration
{
    public const string DefaultConfigFile = "vigil.json";
    public const string EnvironmentPrefix = "VIGIL_";

    /// <summary>The seed tutorials' environment variables, and Vigil's short names for secrets, and the settings they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> SeedEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["KAFKA_BROKER_URL"] = "Kafka:BootstrapServers",
        ["TRANSACTIONS_TOPIC"] = "Topics:Transactions",
        ["LEGIT_TOPIC"] = "Topics:Legit",
        ["FRAUD_TOPIC"] = "Topics:Fraud",
        ["DEAD_LETTER_TOPIC"] = "Topics:DeadLetter",
        ["TRANSACTIONS_PER_SECOND"] = "Generator:Rate",
        ["SLACK_API_TOKEN"] = "Alerts:SlackToken",
        ["SLACK_WEBHOOK_URL"] = "Alerts:SlackWebhook",
        ["WEBHOOK_SECRET"] = "Alerts:WebhookSecret",
        ["VIGIL_API_KEYS"] = "Security:ApiKeys",
        ["VIGIL_TLS_PASSWORD"] = "Security:TlsPassword",
        ["VIGIL_RULES_KEY"] = "Rules:SigningKey",
        ["SCHEMA_REGISTRY_URL"] = "SchemaRegistry:Url",
        ["SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO"] = "SchemaRegistry:BasicAuthUserInfo",
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "Tracing:OtlpEndpoint",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "Tracing:OtlpProtocol",
    };

    private readonly IConfigurationRoot _root;
    private readonly Dictionary<string, string> _flagNames;
    private readonly string? _configFile;

    private LayeredConfiguration(IConfigurationRoot root, Dictionary<string, string> flagNames, string? configFile)
    {
        _root = root;
        _flagNames = flagNames;
        _configFile = configFile;
    }

    public IConfiguration Configuration => _root;

    /// <param name="configFile">A file named with <c>--config</c> (must exist), or null to read <c>vigil.json</c> if present.</param>
    /// <param name="environment">The process environment (a parameter, so tests need not change the real one).</param>
    /// <param name="flags">Settings given as flags: setting key → (flag name, value).</param>
    public static LayeredConfiguration Build(
        string? configFile, IDictionary environment, IReadOnlyDictionary<string, (string Flag, string Value)> flags)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(flags);
        var builder = new ConfigurationBuilder();
        var file = configFile ?? (File.Exists(DefaultConfigFile) ? DefaultConfigFile : null);
        if (file is not null)
        {
            var path = Path.GetFullPath(file);
            if (!File.Exists(path))
            {
                throw new UsageException($"config file {file} not found");
            }

            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }

        var vigilVariables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var seedVariables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            var name = (string)entry.Key;
            if (SeedEnvironment.TryGetValue(name, out var key))
            {
                seedVariables[key] = entry.Value as string;
            }
            else if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                vigilVariables[name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = entry.Value as string;
            }
        }

        builder.Add(new NamedSource("VIGIL_ environment variables", vigilVariables));
        builder.Add(new NamedSource("seed environment variables", seedVariables));
        builder.Add(new NamedSource("flags", flags.ToDictionary(f => f.Key, f => (string?)f.Value.Value, StringComparer.OrdinalIgnoreCase)));
        try
        {
            return new LayeredConfiguration(
                builder.Build(), flags.ToDictionary(f => f.Key, f => f.Value.Flag, StringComparer.OrdinalIgnoreCase), file);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"config file {file} is not valid JSON: {e.InnerException?.Message ?? e.Message}");
        }
    }

    public string? this[string key] => _root[key];

    /// <summary>Where the value of <paramref name="key"/> came from, as the user wrote it: a flag, a variable or the file.</summary>
    public string Origin(string key)
    {
        foreach (var provider in _root.Providers.Reverse())
        {
            if (!provider.TryGet(key, out _))
            {
                continue;
            }

            return provider switch
            {
                NamedProvider { Name: "flags" } => _flagNames[key],
                NamedProvider { Name: "seed environment variables" } => SeedEnvironment.First(v => string.Equals(v.Value, key, StringComparison.OrdinalIgnoreCase)).Key,
                NamedProvider => EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant(),
                JsonConfigurationProvider => $"{key} in {_configFile}",
                _ => key,
            };
        }

        return key;
    }

    private sealed class NamedSource(string name, IDictionary<string, string?> values) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new NamedProvider(name, values);
    }

    private sealed class NamedProvider : MemoryConfigurationProvider
    {
        public NamedProvider(string name, IDictionary<string, string?> values)
            : base(new MemoryConfigurationSource { InitialData = values }) => Name = name;

        public string Name { get; }
    }
}
