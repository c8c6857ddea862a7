namespace Vigil.Cli.Logging;

/// <summary>The logging categories Vigil's commands give their parts; levels are set by these names (<c>--log-level Vigil.Kafka=Debug</c>).</summary>
public static class LogCategories
{
    /// <summary>The Kafka clients: librdkafka's lines, assignments, commits, state restores, task moves.</summary>
    public const string Kafka = "Vigil.Kafka";

    /// <summary>Rule sets swapped in or rejected (files and the rules topic).</summary>
    public const string Rules = "Vigil.Rules";

    /// <summary>Models swapped in or rejected.</summary>
    public const string Models = "Vigil.Models";

    /// <summary>Alerts that could not be filed as cases.</summary>
    public const string Cases = "Vigil.Cases";

    /// <summary>Alert deliveries that failed.</summary>
    public const string Alerts = "Vigil.Alerts";

    /// <summary>The web servers: requests that failed with 500.</summary>
    public const string Web = "Vigil.Web";

    /// <summary>The pipeline's host and its loops.</summary>
    public const string Hosting = "Vigil.Hosting";
}
