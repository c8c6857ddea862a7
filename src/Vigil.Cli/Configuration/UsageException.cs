namespace Vigil.Cli.Configuration;

/// <summary>A wrong flag, environment variable or configuration value: reported in one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
