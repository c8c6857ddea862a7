using System.Reflection;
using System.Runtime.InteropServices;

namespace Vigil.Kafka.Native;

/// <summary>Finds librdkafka for Confluent.Kafka and for Vigil's own calls (the mock cluster).</summary>
/// <remarks>
/// Confluent.Kafka imports "librdkafka", which on Debian resolves to nothing: the system library is
/// <c>librdkafka.so.1</c> (package librdkafka1) and <c>librdkafka.so</c> only comes with the -dev package. The
/// resolver maps every librdkafka import to, in order: a bundled copy beside the application (as the
/// librdkafka.redist package lays it out), then the system's <c>librdkafka.so.1</c>.
/// </remarks>
public static class LibrdkafkaLoader
{
    public const string InstallHint =
        "librdkafka not found: install the Debian package librdkafka1 (apt-get install librdkafka1), or put librdkafka.so beside vigil";

    private static readonly Lock Gate = new();
    private static IntPtr _handle;
    private static bool _registered;

    /// <summary>Registers the resolver (once) and loads librdkafka; throws <see cref="KafkaSetupException"/> when it cannot.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_handle != IntPtr.Zero)
            {
                return;
            }

            (_handle, LoadedFrom) = Load(Candidates()) ?? throw new KafkaSetupException(InstallHint);
            if (!_registered)
            {
                NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
                NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaLoader).Assembly, Resolve);
                _registered = true;
            }
        }
    }

    /// <summary>Where librdkafka was loaded from, for diagnostics.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>librdkafka's version and where it was loaded from, e.g. "librdkafka 2.0.2 (librdkafka.so.1)".</summary>
    public static string Description
    {
        get
        {
            EnsureLoaded();
            return $"librdkafka {Confluent.Kafka.Library.VersionString} ({LoadedFrom})";
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name.Contains("rdkafka", StringComparison.Ordinal) ? _handle : IntPtr.Zero;

    /// <summary>Where librdkafka is looked for, in order: a bundled copy beside the application, then the system's.</summary>
    internal static IReadOnlyList<string> Candidates()
    {
        var rid = RuntimeInformation.RuntimeIdentifier.StartsWith("linux-arm64", StringComparison.Ordinal) ? "linux-arm64" : "linux-x64";
        return
        [
            Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", "librdkafka.so"),
            Path.Combine(AppContext.BaseDirectory, "librdkafka.so"),
            "librdkafka.so.1",
            "librdkafka.so",
        ];
    }

    /// <summary>Loads the first candidate that exists and loads; null when none does.</summary>
    internal static (IntPtr Handle, string Path)? Load(IEnumerable<string> candidates)
    {
        foreach (var candidate in candidates)
        {
            if ((Path.IsPathRooted(candidate) && !File.Exists(candidate)) || !NativeLibrary.TryLoad(candidate, out var handle))
            {
                continue;
            }

            return (handle, candidate);
        }

        return null;
    }
}
