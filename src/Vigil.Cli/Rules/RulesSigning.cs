using Vigil.Cli.Configuration;
using Vigil.Runtime.Rules;

namespace Vigil.Cli.Rules;

/// <summary>The rules key (<c>VIGIL_RULES_KEY</c> or <c>--rules-key-file</c>), or the explicit choice to go without it.</summary>
public static class RulesSigning
{
    /// <returns>The signature to sign or verify with; null with <c>--unsigned-rules</c>.</returns>
    /// <exception cref="UsageException">No key and no <c>--unsigned-rules</c>, both, or a key too short.</exception>
    public static RuleSignature? Read(LayeredConfiguration configuration, string command)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        var unsigned = read.Flag("Rules:Unsigned", false);
        var (key, origin) = (read.OptionalText("Rules:SigningKey"), configuration.Origin("Rules:SigningKey"));
        if (read.OptionalText("Rules:SigningKeyFile") is { } file)
        {
            origin = configuration.Origin("Rules:SigningKeyFile");
            try
            {
                key = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{origin}: cannot read {file}: {e.Message}");
            }
        }

        if (key is null)
        {
            return unsigned ? null : throw new UsageException(
                $"{command} needs the rules key that signs rule sets: set VIGIL_RULES_KEY or --rules-key-file FILE, the same for the publisher and the detectors (or pass --unsigned-rules to go without)");
        }

        if (unsigned)
        {
            throw new UsageException($"{origin} gives a rules key and --unsigned-rules says to go without: choose one");
        }

        try
        {
            return new RuleSignature(key);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{origin}: {e.Message}");
        }
    }
}
