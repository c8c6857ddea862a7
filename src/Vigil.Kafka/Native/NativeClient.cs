using Microsoft.Extensions.Logging;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Vigil.Kafka.Native;

/// <summary>A librdkafka client created directly: its settings, its callbacks back into .NET, and its end.</summary>
/// <remarks>
/// librdkafka calls back on its own threads (logs, errors) or on the thread that polls (delivery reports,
/// rebalances). Nothing may throw back into native code, so a callback's failure is kept and rethrown to the caller.
/// </remarks>
public abstract unsafe class NativeClient : IDisposable
{
    private readonly ILogger _log;
    private readonly RepeatedLines _repeated = new();
    private GCHandle _self;
    private IntPtr _handle;
    private volatile string? _fatal;

    /// <param name="configure">Sets the client-specific callbacks on the configuration before the client is made.</param>
    private protected NativeClient(int type, IEnumerable<KeyValuePair<string, string>> settings, ILogger log, Action<IntPtr>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!Environment.Is64BitProcess)
        {
            throw new PlatformNotSupportedException("Vigil's Kafka clients need a 64-bit process.");
        }

        LibrdkafkaLoader.EnsureLoaded();
        _log = log;
        var error = new byte[512];
        var config = Librdkafka.rd_kafka_conf_new();
        foreach (var (name, value) in settings)
        {
            if (Librdkafka.rd_kafka_conf_set(config, name, value, error, (nuint)error.Length) != 0)
            {
                Librdkafka.rd_kafka_conf_destroy(config);
                throw new KafkaSetupException($"invalid Kafka setting: {Text(error)}");
            }
        }

        _self = GCHandle.Alloc(this);
        Librdkafka.rd_kafka_conf_set_opaque(config, GCHandle.ToIntPtr(_self));
        Librdkafka.rd_kafka_conf_set_error_cb(config, &OnError);
        Librdkafka.rd_kafka_conf_set_log_cb(config, &OnLog);
        configure?.Invoke(config);
        _handle = Librdkafka.rd_kafka_new(type, config, error, (nuint)error.Length);
        if (_handle == IntPtr.Zero)
        {
            Librdkafka.rd_kafka_conf_destroy(config);
            _self.Free();
            throw new KafkaSetupException($"cannot create a Kafka client: {Text(error)}");
        }
    }

    /// <summary>A fatal error librdkafka raised (the client can no longer work), or a callback's failure; null while all is well.</summary>
    public string? FatalError => _fatal;

    private protected IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(GetType().Name);

    public void Dispose()
    {
        if (_handle == IntPtr.Zero)
        {
            return;
        }

        Close(_handle);
        var handle = _handle;
        _handle = IntPtr.Zero;
        GC.SuppressFinalize(this);

        // rd_kafka_destroy joins librdkafka's threads; in rare runs (seen on 2.16 under load) it never returns, and a
        // stop must not hang on it. What was written is flushed or counted before this point.
        var destroyed = Task.Factory.StartNew(() => Librdkafka.rd_kafka_destroy(handle), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!destroyed.Wait(DestroyTimeout))
        {
            // Its threads may still call back: the handle to this object stays allocated.
            _log.DestroyTimedOut(DestroyTimeout.TotalSeconds);
            return;
        }

        _self.Free();
    }

    /// <summary>How long <see cref="Dispose"/> waits for librdkafka to end the client's threads before it lets them be.</summary>
    public static TimeSpan DestroyTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>What a client does before it is destroyed (leave the group, release topics).</summary>
    private protected abstract void Close(IntPtr handle);

    /// <summary>Keeps a callback's failure, to be rethrown by the caller's next call.</summary>
    private protected void Fail(string reason) => _fatal ??= reason;

    private protected static T? From<T>(IntPtr opaque)
        where T : NativeClient =>
        opaque == IntPtr.Zero ? null : GCHandle.FromIntPtr(opaque).Target as T;

    private protected static string Text(byte[] nulTerminated) =>
        Encoding.UTF8.GetString(nulTerminated, 0, Math.Max(0, Array.IndexOf(nulTerminated, (byte)0)));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnError(IntPtr rk, int error, IntPtr reason, IntPtr opaque)
    {
        if (From<NativeClient>(opaque) is not { } client)
        {
            return;
        }

        var text = Marshal.PtrToStringUTF8(reason) ?? Librdkafka.Describe(error);
        if (error == Librdkafka.Fatal)
        {
            var buffer = new byte[512];
            _ = Librdkafka.rd_kafka_fatal_error(rk, buffer, (nuint)buffer.Length);
            client.Fail(Text(buffer));
        }

        if (client._repeated.Admit(text) is { } line)
        {
            client._log.Client(LogLevel.Error, "error", line);
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(IntPtr rk, int level, IntPtr facility, IntPtr text)
    {
        // Syslog levels: 0..3 are errors, 4 warnings; the rest is chatter.
        var logLevel = level <= 3 ? LogLevel.Error : LogLevel.Warning;
        if (level <= 4 && From<NativeClient>(Librdkafka.rd_kafka_opaque(rk)) is { } client && client._log.IsEnabled(logLevel)
            && client._repeated.Admit(Marshal.PtrToStringUTF8(text)) is { } line)
        {
            client._log.Client(logLevel, level <= 3 ? "error" : "warning", line);
        }
    }
}
