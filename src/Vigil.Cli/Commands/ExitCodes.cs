namespace Vigil.Cli.Commands;

/// <summary>The exit codes of <c>vigil</c>.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Something failed while running (a port in use, a disk full, a bug).</summary>
    public const int Failure = 1;

    /// <summary>A wrong flag, environment variable or configuration value.</summary>
    public const int Usage = 2;
}
