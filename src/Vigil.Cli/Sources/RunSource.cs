using Vigil.Streams;
using System.Security.Cryptography;
using Vigil.Cli.Configuration;
using Vigil.Runtime.Sources;
using Vigil.Simulation;
using Vigil.Simulation.Datasets.Replay;
using Vigil.Simulation.Seed;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;

namespace Vigil.Cli.Sources;

/// <summary>The source a run publishes, and what its header and summary say about it.</summary>
/// <param name="Intake">How records come in, for the summary: "generated" or "read".</param>
/// <param name="Seed">The random seed, printed so that the run can be repeated; null for a file.</param>
/// <param name="Profile">The generator profile, or the one whose data a file holds, which picks the default amount threshold; null for other files.</param>
/// <param name="EndReason">Why the run ended when the source ran out ("183 simulated days generated").</param>
public sealed record RunSource(ITransactionSource Source, string Intake, ulong? Seed, GeneratorProfile? Profile, string EndReason) : IDisposable
{
    /// <summary>Closes the source's files, if it has any.</summary>
    public void Dispose() => (Source as IDisposable)?.Dispose();

    /// <summary>Whether records may come with an identity (a second file joined to the transactions).</summary>
    public bool HasIdentities { get; init; }

    /// <summary>Whether the source may hold rows that cannot be transactions (a dataset file may; a generator never does).</summary>
    public bool MayHaveInvalidRows { get; init; }

    /// <summary>A line for the header saying how the source is read (a dataset's columns), or null.</summary>
    public string? Details { get; init; }

    /// <summary>The first few invalid rows, "file line N: reason", for the summary.</summary>
    public Func<IReadOnlyList<string>> InvalidExamples { get; init; } = () => [];

    /// <summary>A dataset file replayed in event-time order, as the replay settings describe it.</summary>
    public static RunSource Replay(VigilSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var source = OpenDataset(settings, "vigil replay needs a FILE to read (see 'vigil replay --help')");
        var path = source.Path;
        if (settings.Generator.Speed is not null && !source.HasEventTime)
        {
            source.Dispose();
            throw new UsageException($"--speed paces by event time, and no column of {Path.GetFileName(path)} is mapped to timestamp: use --rate, or --columns timestamp=COLUMN");
        }

        // A file the simulator wrote (Vigil's or the handbook's columns) is decided by default as the simulator's stream is.
        var profile = source.Mapping.Format is DatasetFormat.Vigil or DatasetFormat.Handbook ? GeneratorProfile.Simulator : (GeneratorProfile?)null;
        return new RunSource(source, "read", null, profile, $"end of {Path.GetFileName(path)}")
        {
            HasIdentities = settings.Replay.Identities is not null,
            Details = "columns: " + string.Join(", ", source.Columns),
            MayHaveInvalidRows = true,
            InvalidExamples = () => source.InvalidLines,
        };
    }

    /// <summary>Opens the dataset the replay settings describe; a file that cannot be read is a usage error.</summary>
    public static ReplaySource OpenDataset(VigilSettings settings, string missing)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var replay = settings.Replay;
        var path = replay.Path ?? throw new UsageException(missing);
        try
        {
            return ReplaySource.Open(new ReplayOptions
            {
                Path = path,
                Identities = replay.Identities,
                Format = replay.Format,
                Columns = replay.Columns,
                StartDate = replay.StartDate,
            });
        }
        catch (DatasetException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The simulator or the seed's generator, as the settings choose, with a seed given or drawn.</summary>
    public static RunSource Generated(VigilSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var seed = SeedFor(settings);
        if (settings.Generator.Profile == GeneratorProfile.Seed)
        {
            if (settings.Generator.Speed is not null)
            {
                throw new UsageException("--speed paces by event time, and the seed profile's transactions have none: use --rate, or --profile simulator");
            }

            return new RunSource(new SeedTransactionGenerator(seed), "generated", seed, GeneratorProfile.Seed, "the generator stopped");
        }

        return new RunSource(new SimulatorSource(Simulator(settings)), "generated", seed, GeneratorProfile.Simulator, $"all {settings.Simulator.Days:N0} simulated days generated");
    }

    /// <summary>The simulator the settings describe, with the run's seed.</summary>
    public static TransactionSimulator Simulator(VigilSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Simulator.Seed = SeedFor(settings);
        return new TransactionSimulator(settings.Simulator);
    }

    /// <summary>The seed given, or one drawn once per run (and then kept in the settings, so every part uses the same).</summary>
    private static ulong SeedFor(VigilSettings settings) =>
        settings.Generator.Seed ??= BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>Why a run over this source ended, for the summary.</summary>
    public string StopReason(SourcePublisher publisher, VigilSettings settings, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(settings);
        return stop.IsCancellationRequested ? "stopped by signal"
            : publisher.Ended ? EndReason
            : settings.Generator.Count is { } count && publisher.Read >= count ? $"{count:N0} transactions {Intake}"
            : "duration reached";
    }

    /// <summary>The pace the settings ask for: by event time with <c>--speed</c>, else by <c>--rate</c>.</summary>
    public static SourcePacing Pacing(VigilSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Generator.Speed is { } speed ? SourcePacing.ByEventTime(speed) : SourcePacing.PerSecondOrUnlimited(settings.Generator.RatePerSecond);
    }
}
