using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Vigil.Cli.Configuration;

namespace Vigil.Cli.Logging;

/// <summary>
/// How a command logs: the format (<c>--log-format</c>, <c>Logging:Format</c>) and the least level by category
/// (<c>Logging:LogLevel:CATEGORY</c> as ASP.NET reads it, then <c>--log-level</c>, which overrides it).
/// </summary>
public sealed record LogSettings(LogFormat Format, IReadOnlyDictionary<string, LogLevel> Levels)
{
    public static readonly LogSettings Default = new(LogFormat.Text, new Dictionary<string, LogLevel> { ["Default"] = LogLevel.Information });

    public static LogSettings Read(LayeredConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        var levels = new Dictionary<string, LogLevel>(Default.Levels, StringComparer.OrdinalIgnoreCase);
        foreach (var category in configuration.Configuration.GetSection("Logging:LogLevel").GetChildren())
        {
            levels[category.Key] = Level(category.Value, $"Logging:LogLevel:{category.Key}", configuration);
        }

        if (configuration["Logging:Level"] is { Length: > 0 } given)
        {
            foreach (var entry in given.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = entry.IndexOf('=', StringComparison.Ordinal);
                var category = equals < 0 ? "Default" : entry[..equals].Trim();
                if (category.Length == 0)
                {
                    throw new UsageException($"invalid {configuration.Origin("Logging:Level")} '{given}': expected LEVEL or CATEGORY=LEVEL,… such as Warning,Vigil.Kafka=Debug");
                }

                levels[category] = Level(equals < 0 ? entry : entry[(equals + 1)..].Trim(), "Logging:Level", configuration);
            }
        }

        return new LogSettings(read.Choice("Logging:Format", LogFormat.Text), levels);
    }

    /// <summary>A factory whose loggers write each entry as one line to <paramref name="write"/>, at the levels set.</summary>
    public ILoggerFactory Factory(Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return LoggerFactory.Create(logging =>
        {
            logging.AddProvider(new LineLogProvider(Format, write));
            foreach (var (category, level) in Levels)
            {
                if (category.Equals("Default", StringComparison.OrdinalIgnoreCase))
                {
                    logging.SetMinimumLevel(level);
                }
                else
                {
                    logging.AddFilter(category, level);
                }
            }
        });
    }

    private static LogLevel Level(string? raw, string key, LayeredConfiguration configuration) =>
        Enum.TryParse<LogLevel>(raw, ignoreCase: true, out var level) && Enum.IsDefined(level) && !int.TryParse(raw, out _)
            ? level
            : throw new UsageException($"invalid {configuration.Origin(key)} '{raw}': expected a level: trace, debug, information, warning, error, critical or none");
}
