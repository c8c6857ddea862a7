namespace Vigil.Cli.Logging;

/// <summary>How log entries are written: a readable line, or one JSON object a line for a log collector.</summary>
public enum LogFormat
{
    Text,
    Json,
}
