using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Vigil.Cli.Logging;

/// <summary>
/// Writes each log entry as one line through the command's line writer (standard error, or under the live status
/// table while it shows): the message as text, or a JSON object with the time, level, category, event, message and
/// the entry's named values (<see cref="LogFormat.Json"/>).
/// </summary>
public sealed class LineLogProvider(LogFormat format, Action<string> write) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new LineLog(format, write, categoryName);

    public void Dispose()
    {
    }

    /// <summary>One JSON line: <c>{"time":…,"level":…,"category":…,"event":…,"message":…,NAME:VALUE…,"exception":…}</c>.</summary>
    internal static string Json<TState>(DateTimeOffset time, string category, LogLevel level, EventId eventId, TState state, Exception? exception, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("level", level.ToString());
            json.WriteString("category", category);
            if (eventId.Name is { } name)
            {
                json.WriteString("event", name);
            }

            json.WriteString("message", message);
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                var written = new HashSet<string>(StringComparer.Ordinal) { "time", "level", "category", "event", "message", "exception" };
                foreach (var (key, value) in values)
                {
                    if (key != "{OriginalFormat}" && written.Add(key))
                    {
                        json.WritePropertyName(key);
                        WriteValue(json, value);
                    }
                }
            }

            if (exception is not null)
            {
                json.WriteStartObject("exception");
                json.WriteString("type", exception.GetType().FullName);
                json.WriteString("message", exception.Message);
                json.WriteString("stack", exception.ToString());
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int or long or short or byte or uint or ulong or ushort or sbyte:
                json.WriteNumberValue(Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;
            case decimal m:
                json.WriteNumberValue(m);
                break;
            case DateTimeOffset at:
                json.WriteStringValue(at);
                break;
            case TimeSpan span:
                json.WriteNumberValue(span.TotalSeconds);
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private sealed class LineLog(LogFormat format, Action<string> write, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        // The factory filters by level before it calls here.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            write(format == LogFormat.Json
                ? Json(DateTimeOffset.UtcNow, category, logLevel, eventId, state, exception, message)
                : exception is null ? message : $"{message}: {exception.Message}");
        }
    }
}
