using System.Reflection;
using System.Runtime.InteropServices;

namespace Vigil.Kafka.Native;

/// <summary>Finds librdkafka for Confluent.Kafka and for Vigil's own calls (the native batch layer, the mock cluster).</summary>
/// <remarks>
/// <para>The librdkafka.redist package ships librdkafka beside the application (<c>runtimes/RID/native</c>) in two
/// builds: <c>librdkafka.so</c>, with GSSAPI (Kerberos), which needs Cyrus SASL's <c>libsasl2.so.3</c> (RHEL and its
/// kin; Debian 12 has <c>libsasl2.so.2</c>, so it does not load there), and <c>centos8-librdkafka.so</c>, without
/// GSSAPI, which loads on any glibc Linux. By default the first that loads serves, then the system's
/// <c>librdkafka.so.1</c> (Debian's librdkafka1): no package needs installing. <c>VIGIL_LIBRDKAFKA=system</c> puts the
/// system's first (for GSSAPI on Debian, install librdkafka1 and libsasl2-modules-gssapi-mit); a path loads that file only.</para>
/// <para>Confluent.Kafka's own loader would want <c>libdl.so</c> (a development package on Debian): the resolver maps
/// every librdkafka import of both assemblies to the library loaded here instead.</para>
/// </remarks>
public static class LibrdkafkaLoader
{
    /// <summary>The environment variable that chooses: <c>bundled</c> (the default), <c>system</c>, or a library's path.</summary>
    public const string ChoiceVariable = "VIGIL_LIBRDKAFKA";

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

            var choice = Environment.GetEnvironmentVariable(ChoiceVariable);
            var (loaded, failures) = Load(Candidates(choice));
            (_handle, LoadedFrom) = loaded ?? throw new KafkaSetupException(NotFound(choice, failures));
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

    /// <summary>librdkafka's version and which build was loaded, e.g. "librdkafka 2.16.0 (bundled, without GSSAPI: runtimes/linux-x64/native/centos8-librdkafka.so)".</summary>
    public static string Description
    {
        get
        {
            EnsureLoaded();
            return $"librdkafka {Confluent.Kafka.Library.VersionString} ({Describe(LoadedFrom!)})";
        }
    }

    /// <summary>Says which build a loaded path is: bundled with or without GSSAPI, the system's, or one chosen by path.</summary>
    internal static string Describe(string path)
    {
        if (!Path.IsPathRooted(path))
        {
            return $"the system's {path}";
        }

        var shown = Path.GetRelativePath(AppContext.BaseDirectory, path);
        if (shown.StartsWith("..", StringComparison.Ordinal))
        {
            return path;
        }

        return Path.GetFileName(path) == BundledWithoutGssapi ? $"bundled, without GSSAPI: {shown}" : $"bundled: {shown}";
    }

    private const string BundledWithoutGssapi = "centos8-librdkafka.so";

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name.Contains("rdkafka", StringComparison.Ordinal) ? _handle : IntPtr.Zero;

    /// <summary>Where librdkafka is looked for, in order, for a choice (<see cref="ChoiceVariable"/>; null or empty is <c>bundled</c>).</summary>
    internal static IReadOnlyList<string> Candidates(string? choice = null)
    {
        var rid = RuntimeInformation.RuntimeIdentifier.StartsWith("linux-arm64", StringComparison.Ordinal) ? "linux-arm64" : "linux-x64";
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native");
        // A build for one runtime (dotnet publish -r linux-x64) puts them beside the application instead.
        string[] bundled =
        [
            Path.Combine(native, "librdkafka.so"), Path.Combine(native, BundledWithoutGssapi),
            Path.Combine(AppContext.BaseDirectory, "librdkafka.so"), Path.Combine(AppContext.BaseDirectory, BundledWithoutGssapi),
        ];
        string[] system = ["librdkafka.so.1", "librdkafka.so"];
        return choice?.Trim() switch
        {
            null or "" or "bundled" => [.. bundled, .. system],
            "system" => [.. system, .. bundled],
            var path => [path],
        };
    }

    /// <summary>Loads the first candidate that loads; says why each one before it did not.</summary>
    internal static ((IntPtr Handle, string Path)? Loaded, List<string> Failures) Load(IEnumerable<string> candidates)
    {
        var failures = new List<string>();
        foreach (var candidate in candidates)
        {
            if (Path.IsPathRooted(candidate) && !File.Exists(candidate))
            {
                failures.Add($"{candidate}: no such file");
                continue;
            }

            try
            {
                return ((NativeLibrary.Load(candidate), candidate), failures);
            }
            catch (DllNotFoundException e)
            {
                failures.Add($"{candidate}: {e.Message}");
            }
            catch (BadImageFormatException e)
            {
                failures.Add($"{candidate}: {e.Message}");
            }
        }

        return (null, failures);
    }

    /// <summary>The one line that says librdkafka could not be loaded, why, and what to do.</summary>
    internal static string NotFound(string? choice, IReadOnlyList<string> failures)
    {
        var why = failures.Count == 0 ? string.Empty : $" ({failures[0]}{(failures.Count > 1 ? $"; {failures.Count - 1} more tried" : string.Empty)})";
        return choice?.Trim() is { Length: > 0 } chosen and not "bundled" and not "system"
            ? $"librdkafka could not be loaded from {chosen}, which {ChoiceVariable} names{why}: give the path of a librdkafka.so, or unset {ChoiceVariable} to use the bundled one"
            : $"librdkafka could not be loaded{why}: the bundled copy (runtimes/*/native beside vigil) is missing or does not load here; install the Debian package librdkafka1 (apt-get install librdkafka1), or set {ChoiceVariable} to the path of a librdkafka.so";
    }
}
