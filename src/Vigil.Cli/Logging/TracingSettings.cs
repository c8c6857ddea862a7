using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Vigil.Cli.Configuration;
using Vigil.Kafka.Detection;

namespace Vigil.Cli.Logging;

/// <summary>
/// OpenTelemetry traces, off unless an OTLP endpoint is configured (<c>--otlp-endpoint</c>, or the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>). A record that arrives with a sampled
/// <c>traceparent</c> is always traced; one without is traced with probability <see cref="SampleRatio"/> (0 by default:
/// a stream processor continues the traces its producers start, and does not start one per transaction).
/// </summary>
public sealed record TracingSettings(Uri? Endpoint, OtlpExportProtocol Protocol, double SampleRatio)
{
    public static readonly TracingSettings Off = new(null, OtlpExportProtocol.Grpc, 0);

    public static TracingSettings Read(LayeredConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        Uri? endpoint = null;
        if (read.OptionalText("Tracing:OtlpEndpoint") is { } given
            && (!Uri.TryCreate(given, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            throw new UsageException($"invalid {configuration.Origin("Tracing:OtlpEndpoint")} '{given}': expected an http:// or https:// URL such as http://127.0.0.1:4317");
        }

        var protocol = read.OptionalText("Tracing:OtlpProtocol") switch
        {
            null or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new UsageException($"invalid {configuration.Origin("Tracing:OtlpProtocol")} '{other}': expected grpc or http/protobuf"),
        };
        return new TracingSettings(endpoint, protocol, read.Number("Tracing:SampleRatio", 0, 0, 1, "a share of records from 0 to 1"));
    }

    /// <summary>Starts exporting the detector's spans as <paramref name="service"/>; null (nothing listens, nothing is spent) without an endpoint.</summary>
    public TracerProvider? Start(string service)
    {
        if (Endpoint is not { } endpoint)
        {
            return null;
        }

        // Over HTTP the traces go to /v1/traces, as the collector serves them, unless the URL names another path.
        var target = Protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath == "/" ? new Uri(endpoint, "v1/traces") : endpoint;
        return Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(service, serviceVersion: typeof(TracingSettings).Assembly.GetName().Version?.ToString()))
            .AddSource(DetectionTracing.SourceName)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(SampleRatio)))
            .AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = target;
                otlp.Protocol = Protocol;
            })
            .Build();
    }

    /// <summary>Where spans go, for the startup line; null when tracing is off.</summary>
    public string? Describe() => Endpoint is null ? null
        : $"traces to {Endpoint} ({(Protocol == OtlpExportProtocol.Grpc ? "OTLP gRPC" : "OTLP HTTP")}, {SampleRatio:P0} of records without a parent)";
}
