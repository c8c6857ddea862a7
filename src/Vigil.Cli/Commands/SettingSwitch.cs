namespace Vigil.Cli.Commands;

/// <summary>A command-line flag without a value that turns one configuration setting on.</summary>
public sealed record SettingSwitch(string Name, string Description, string Key)
{
    public static readonly SettingSwitch Insecure = new("--insecure", "Serve an address other than loopback with no API key: anyone who reaches it gets in [default: refused]", "Security:Insecure");
    public static readonly SettingSwitch UnsignedRules = new("--unsigned-rules", "Go without the rules key: rule sets on the control topic are published and taken unsigned, so anyone who can write to the topic decides what is fraud [default: signed]", "Rules:Unsigned");
}
