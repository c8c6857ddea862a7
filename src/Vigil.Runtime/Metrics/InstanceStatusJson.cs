using System.Buffers;
using System.Text.Json;

namespace Vigil.Runtime.Metrics;

/// <summary>
/// An instance's report as one JSON object, the form it takes on the status topic and in the dashboard's statistics.
/// Reading is defensive: anyone who can write to the topic can write anything there.
/// </summary>
public static class InstanceStatusJson
{
    /// <summary>The largest report read; an instance with thousands of tasks stays well under it.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>The most tasks one report may list.</summary>
    public const int MaxTasks = 4096;

    /// <summary>The longest name (service, group, instance, task, phase) kept.</summary>
    public const int MaxName = 200;

    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 4 };

    public static byte[] Encode(InstanceStatus status)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + 64 * status.Tasks.Count);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Write(json, status, silence: null);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the report's fields into the object being written.</summary>
    /// <param name="silence">How long the instance has been silent, when the writer knows (the dashboard).</param>
    public static void Write(Utf8JsonWriter json, InstanceStatus status, TimeSpan? silence)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(status);
        json.WriteString("service", status.Service);
        json.WriteString("group", status.Group);
        json.WriteString("instance", status.Instance);
        json.WriteString("at", status.At);
        json.WriteNumber("processed", status.Processed);
        json.WriteBoolean("stopped", status.Stopped);
        if (silence is { } silent)
        {
            json.WriteNumber("silent_s", Math.Round(silent.TotalSeconds, 1));
        }

        json.WriteStartArray("tasks");
        foreach (var task in status.Tasks)
        {
            json.WriteStartObject();
            json.WriteString("task", task.Name);
            json.WriteString("phase", task.Phase);
            json.WriteNumber("lag", task.Lag);
            if (task.RestoreShare is { } share)
            {
                json.WriteNumber("restore_share", Math.Round(share, 3));
            }

            if (task.RestoreSeconds is { } seconds)
            {
                json.WriteNumber("restore_s", Math.Round(seconds, 2));
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>Reads a report, or says in <paramref name="error"/> why the bytes are not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out InstanceStatus? status, out string? error)
    {
        status = null;
        error = null;
        if (bytes.Length > MaxBytes)
        {
            error = $"{bytes.Length:N0} bytes, more than the {MaxBytes:N0} a report may have";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray(), ReadOptions);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"a report is a JSON object, not {root.ValueKind}";
                return false;
            }

            if (!root.TryGetProperty("tasks", out var tasks) || tasks.ValueKind != JsonValueKind.Array)
            {
                error = "no tasks array";
                return false;
            }

            if (tasks.GetArrayLength() > MaxTasks)
            {
                error = $"{tasks.GetArrayLength():N0} tasks, more than the {MaxTasks:N0} a report may list";
                return false;
            }

            var read = new List<TaskState>(tasks.GetArrayLength());
            foreach (var task in tasks.EnumerateArray())
            {
                if (task.ValueKind != JsonValueKind.Object)
                {
                    error = $"a task is a JSON object, not {task.ValueKind}";
                    return false;
                }

                read.Add(new TaskState(
                    Name(task, "task"),
                    Name(task, "phase"),
                    Count(task, "lag"),
                    Optional(task, "restore_share") is { } share ? Math.Clamp(share, 0, 1) : null,
                    Optional(task, "restore_s") is { } seconds ? Math.Max(0, seconds) : null));
            }

            if (!root.TryGetProperty("at", out var at) || at.ValueKind != JsonValueKind.String || !at.TryGetDateTimeOffset(out var time))
            {
                error = "no time (at) it was written";
                return false;
            }

            status = new InstanceStatus(Name(root, "service"), Name(root, "group"), Name(root, "instance"), time, Count(root, "processed"), read)
            {
                Stopped = root.TryGetProperty("stopped", out var stopped) && stopped.ValueKind == JsonValueKind.True,
            };
            return true;
        }
        catch (JsonException e)
        {
            error = $"not JSON: {e.Message}";
            return false;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    private static string Name(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            throw new FormatException($"no {property} (a string)");
        }

        return text.Length > MaxName ? text[..MaxName] : text;
    }

    private static long Count(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count) && count >= 0
            ? count
            : throw new FormatException($"no {property} (a whole number, 0 or more)");

    private static double? Optional(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.GetDouble() is var number && double.IsFinite(number)
            ? number
            : null;
}
