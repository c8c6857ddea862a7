using Vigil.Detection;
using Vigil.Rules;
using Vigil.Runtime.Features;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;

namespace Vigil.Hosting.Transports;

/// <summary>
/// What runs a <see cref="Topology"/>: in-process topics and tasks, or a Kafka cluster (a real one or the mock). The
/// outputs are in-process topics either way, so files, the dashboard, quality and alerts read them alike.
/// </summary>
public interface IPipelineTransport : IAsyncDisposable
{
    /// <summary>One line for the header, e.g. "embedded runtime · 2 partitions".</summary>
    string Description { get; }

    /// <summary>The decided records, as in-process topics the files and the dashboard read.</summary>
    Topic Legit { get; }

    Topic Fraud { get; }

    Topic DeadLetters { get; }

    /// <summary>The labels the source released, as an in-process topic the quality monitor reads.</summary>
    Topic Labels { get; }

    /// <summary>Completes when detection has ended; faults as soon as it fails (so that a run never waits for ever).</summary>
    Task Completion { get; }

    /// <summary>Swaps the rule set the detectors decide with, between two records.</summary>
    RuleSet Rules { set; }

    /// <summary>Swaps the models the detectors score with (null: none), between two records.</summary>
    DetectionModels? Models { set; }

    /// <summary>The feature state as scoring requests beside the stream read it; null where the transport cannot share it.</summary>
    PipelineFeatures? Features { get; }

    /// <summary>Where the source writes: transactions, labels, identities and invalid rows.</summary>
    SourceOutputs Outputs(TimeSpan labelDelay);

    PipelineStatus Status();

    /// <summary>Gets ready (compiles the hot path, connects) before the first record.</summary>
    Task PrepareAsync();

    /// <summary>Starts detection and returns once it is ready to take records (a Kafka detector has its partitions).</summary>
    Task StartAsync();

    /// <summary>After the source stopped: decides everything published, then completes the output topics.</summary>
    Task DrainAsync();
}
