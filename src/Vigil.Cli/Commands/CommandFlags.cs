using System.CommandLine;
using Vigil.Cli.Configuration;
using Vigil.Kafka;

namespace Vigil.Cli.Commands;

/// <summary>The flags of one command: adds them to it, and reads what was given back as configuration settings.</summary>
public sealed class CommandFlags
{
    private readonly Option<string> _config = new("--config") { Description = $"JSON configuration file [default: ./{LayeredConfiguration.DefaultConfigFile} when present]", HelpName = "FILE" };
    private readonly List<(Option<string> Option, SettingFlag Flag)> _settings = [];
    private readonly Option<bool>? _noDashboard;
    private readonly List<(Option<bool> Option, SettingSwitch Switch)> _switches = [];
    private readonly Option<string[]>? _kafkaConfig;
    private readonly Option<string>? _kafkaConfigFile;
    private readonly (Argument<string> Argument, string Key)? _argument;

    /// <param name="argument">A positional argument and the setting it gives (<c>FILE</c> → <c>Replay:Path</c>).</param>
    /// <param name="web">Whether the command serves HTTP: it takes the API-key file, certificate and <c>--insecure</c> flags.</param>
    /// <param name="switches">Flags without a value that turn a setting on.</param>
    public CommandFlags(
        Command command, IEnumerable<SettingFlag> flags, bool dashboardSwitch = false, bool kafkaConfig = false, (Argument<string> Argument, string Key)? argument = null,
        bool web = false, IEnumerable<SettingSwitch>? switches = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(flags);
        if (argument is { } positional)
        {
            command.Arguments.Add(positional.Argument);
            _argument = positional;
        }

        command.Options.Add(_config);
        foreach (var flag in web ? [.. flags, .. SettingFlag.WebSecurity] : flags)
        {
            var option = new Option<string>(flag.Name, [.. flag.Aliases]) { Description = flag.Description, HelpName = flag.HelpName };
            command.Options.Add(option);
            _settings.Add((option, flag));
        }

        if (dashboardSwitch)
        {
            _noDashboard = new Option<bool>("--no-dashboard") { Description = "Do not start the web dashboard" };
            command.Options.Add(_noDashboard);
        }

        foreach (var flag in web ? [.. switches ?? [], SettingSwitch.Insecure] : switches ?? [])
        {
            var option = new Option<bool>(flag.Name) { Description = flag.Description };
            command.Options.Add(option);
            _switches.Add((option, flag));
        }

        if (kafkaConfig)
        {
            _kafkaConfig = new Option<string[]>("--kafka-config")
            {
                Description = "Any librdkafka setting, e.g. security.protocol=SASL_SSL; repeat for more [config: Kafka:<setting>]",
                HelpName = "KEY=VALUE",
            };
            command.Options.Add(_kafkaConfig);
            _kafkaConfigFile = new Option<string>("--kafka-config-file")
            {
                Description = "librdkafka settings from a client.properties file (KEY=VALUE lines, # comments), as kcat -F and Java clients read: keeps sasl.password off the command line; --kafka-config overrides it",
                HelpName = "FILE",
            };
            command.Options.Add(_kafkaConfigFile);
        }
    }

    /// <summary>Runs <paramref name="run"/> with the settings as the command line, environment and file give them.</summary>
    /// <remarks>A wrong setting is one line and exit code 2; Kafka that cannot be used is one line and exit code 1.</remarks>
    public void SetAction(Command command, CliContext context, Func<VigilSettings, LayeredConfiguration, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        command.SetAction(async (parsed, _) =>
        {
            try
            {
                var settings = Settings(parsed);
                foreach (var flag in SecretsGiven(settings))
                {
                    await context.Error.WriteLineAsync(
                        $"vigil: warning: {flag} on the command line is visible to every user of this machine (ps, shell history); set it in the environment or the configuration file (docs/SECURITY.md)");
                }

                var configuration = LayeredConfiguration.Build(parsed.GetValue(_config), context.Environment, settings);
                return await run(VigilSettings.Read(configuration), configuration);
            }
            catch (UsageException e)
            {
                await context.Error.WriteLineAsync($"vigil: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (KafkaSetupException e)
            {
                await context.Error.WriteLineAsync($"vigil: {e.Message}");
                return ExitCodes.Failure;
            }
        });
    }

    /// <summary>The flags given that carry a secret: a secret flag, or a librdkafka password or secret through --kafka-config.</summary>
    private IEnumerable<string> SecretsGiven(Dictionary<string, (string Flag, string Value)> settings)
    {
        foreach (var (key, (flag, _)) in settings)
        {
            var secret = _settings.Any(s => s.Flag.Secret && s.Flag.Key.Equals(key, StringComparison.OrdinalIgnoreCase))
                || (flag.StartsWith("--kafka-config ", StringComparison.Ordinal) && (key.Contains("password", StringComparison.OrdinalIgnoreCase) || key.Contains("secret", StringComparison.OrdinalIgnoreCase)));
            if (secret)
            {
                yield return flag;
            }
        }
    }

    private Dictionary<string, (string Flag, string Value)> Settings(ParseResult parsed)
    {
        var settings = new Dictionary<string, (string Flag, string Value)>(StringComparer.OrdinalIgnoreCase);
        if (_argument is { } positional && parsed.GetValue(positional.Argument) is { } argument)
        {
            settings[positional.Key] = (positional.Argument.Name, argument);
        }
        foreach (var (option, flag) in _settings)
        {
            if (parsed.GetValue(option) is { } value)
            {
                settings[flag.Key] = (flag.Name, value);
            }
        }

        if (_noDashboard is not null && parsed.GetValue(_noDashboard))
        {
            settings["Dashboard:Enabled"] = (_noDashboard.Name, "false");
        }

        foreach (var (option, flag) in _switches)
        {
            if (parsed.GetValue(option))
            {
                settings[flag.Key] = (flag.Name, "true");
            }
        }

        if (_kafkaConfigFile is not null && parsed.GetValue(_kafkaConfigFile) is { } file)
        {
            foreach (var (key, value) in KafkaProperties.Read(file))
            {
                settings["Kafka:" + key] = ($"{key} in {file}", value);
            }
        }

        foreach (var pair in _kafkaConfig is null ? [] : parsed.GetValue(_kafkaConfig) ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"invalid --kafka-config '{pair}': expected KEY=VALUE, e.g. security.protocol=SSL");
            }

            settings["Kafka:" + pair[..equals].Trim()] = ($"--kafka-config {pair[..equals].Trim()}", pair[(equals + 1)..]);
        }

        return settings;
    }
}
