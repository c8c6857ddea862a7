namespace Vigil.Cli.Configuration;

/// <summary>
/// A <c>client.properties</c> file, as kcat's <c>-F</c> and Java clients read one: <c>key=value</c> lines (or
/// <c>key: value</c>), <c>#</c> and <c>!</c> comments, blank lines. Values are taken as written, spaces around them trimmed.
/// </summary>
public static class KafkaProperties
{
    /// <exception cref="UsageException">The file cannot be read, or a line is not a setting.</exception>
    /// <param name="flag">The flag that named the file, for messages.</param>
    public static IReadOnlyList<(string Key, string Value)> Read(string path, string flag = "--kafka-config-file")
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{flag}: cannot read {path}: {e.Message}");
        }

        var settings = new List<(string, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }

            var at = line.IndexOfAny(['=', ':']);
            if (at <= 0)
            {
                // The line is not echoed: it may hold a secret.
                throw new UsageException($"{flag} {path}, line {i + 1}: expected KEY=VALUE, e.g. {(flag == "--kafka-config-file" ? "security.protocol=SASL_SSL" : "basic.auth.user.info=USER:PASSWORD")}");
            }

            settings.Add((line[..at].Trim(), line[(at + 1)..].Trim()));
        }

        return settings;
    }
}
