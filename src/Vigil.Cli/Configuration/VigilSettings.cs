using Vigil.Detection;
using Vigil.Features;
using Vigil.Runtime.Features;
using Vigil.Kafka.Configuration;
using Vigil.Runtime.Pipeline;
using Vigil.Quality;
using Vigil.Runtime.Sources;
using Vigil.Simulation;
using Vigil.Simulation.Datasets;
using Vigil.Simulation.Datasets.Replay;
using Vigil.Simulation.Simulator;
using Microsoft.Extensions.Configuration;
using Vigil.Web.Dashboard;
using Vigil.Cli.Logging;

namespace Vigil.Cli.Configuration;

/// <summary>Every setting of every command, read from the layered configuration and validated up front.</summary>
public sealed record VigilSettings(
    GeneratorOptions Generator,
    PipelineOptions Pipeline,
    TopicOptions Topics,
    DetectorOptions Detector,
    DashboardOptions Dashboard,
    string? OutputDirectory,
    TimeSpan? Duration,
    KafkaOptions? Kafka,
    SimulatorOptions Simulator,
    TimeSpan LabelDelay,
    QualitySettings Quality,
    DatasetOutput Dataset,
    ReplaySettings Replay,
    FeatureSettings Features)
{
    /// <summary>Settings under <c>Kafka</c> that are Vigil's own; every other name there is a librdkafka setting.</summary>
    /// <summary>An .onnx model's input names and threshold (<c>--onnx-inputs</c>, <c>--onnx-threshold</c>).</summary>
    public Models.OnnxOptions Onnx { get; init; } = Models.OnnxOptions.None;

    /// <summary>Whether and how the pipeline trains its own models (demo and replay without <c>--model</c>).</summary>
    public RetrainingSettings Retraining { get; init; } = new(false, new(), RetrainingSettings.DefaultDataDirectory);

    /// <summary>Whether alerts are filed as cases for review, and the team's capacity (demo and replay).</summary>
    public CaseSettings Cases { get; init; } = new(false, null);

    /// <summary>How the command logs: format and levels by category.</summary>
    public LogSettings Logs { get; init; } = LogSettings.Default;

    private static readonly HashSet<string> KafkaOwnSettings = new(StringComparer.OrdinalIgnoreCase) { "BootstrapServers", "GroupId", "InstanceId" };

    public static VigilSettings Read(LayeredConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        var topics = new TopicOptions
        {
            Transactions = read.Text("Topics:Transactions", new TopicOptions().Transactions),
            Legit = read.Text("Topics:Legit", new TopicOptions().Legit),
            Fraud = read.Text("Topics:Fraud", new TopicOptions().Fraud),
            DeadLetter = read.Text("Topics:DeadLetter", new TopicOptions().DeadLetter),
            Labels = read.Text("Topics:Labels", new TopicOptions().Labels),
            Identities = read.Text("Topics:Identities", new TopicOptions().Identities),
            Featured = read.Text("Topics:Featured", new TopicOptions().Featured),
            Rules = read.Text("Topics:Rules", new TopicOptions().Rules),
            FeatureState = read.Text("Topics:FeatureState", new TopicOptions().FeatureState),
            Repartition = read.Text("Topics:Repartition", new TopicOptions().Repartition),
            Status = read.Text("Topics:Status", new TopicOptions().Status),
        };
        // The detectors' input may be the featured topic (vigil detect --input vigil.transactions.featured): that is the feature stage's use.
        string[] names =
        [
            topics.Transactions, topics.Legit, topics.Fraud, topics.DeadLetter, topics.Labels, topics.Identities, topics.Repartition, topics.Status,
            .. topics.Featured == topics.Transactions ? Array.Empty<string>() : [topics.Featured],
        ];
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            throw new UsageException($"topic names must differ: {string.Join(", ", names)}");
        }

        var output = read.OptionalText("Output:Directory");
        if (output is not null && File.Exists(output))
        {
            throw new UsageException($"invalid {configuration.Origin("Output:Directory")} '{output}': it is a file, expected a directory");
        }

        var host = read.Text("Dashboard:Host", new DashboardOptions().Host);
        if (host != "localhost" && !System.Net.IPAddress.TryParse(host, out _))
        {
            throw new UsageException($"invalid {configuration.Origin("Dashboard:Host")} '{host}': expected an IP address such as 127.0.0.1 or 0.0.0.0");
        }

        var security = WebSecuritySettings.Read(configuration);
        if (read.Flag("Dashboard:Enabled", true) && System.Net.IPAddress.TryParse(host, out var address) && security.Refuses(address) is { } refused)
        {
            throw new UsageException($"{configuration.Origin("Dashboard:Host")} {host}: {refused}");
        }

        var pipelineDefaults = new PipelineOptions();
        var dashboardDefaults = new DashboardOptions();
        var generator = new GeneratorOptions
        {
            Profile = read.Choice("Generator:Profile", GeneratorProfile.Simulator),
            RatePerSecond = read.Rate("Generator:Rate", GeneratorOptions.DefaultRate),
            Speed = read.OptionalSpeed("Generator:Speed"),
            Seed = read.OptionalSeed("Generator:Seed"),
            Count = read.OptionalCount("Generator:Count", "a positive whole number of transactions"),
        };
        return new VigilSettings(
            generator,
            new PipelineOptions
            {
                Partitions = read.WholeNumber("Pipeline:Partitions", pipelineDefaults.Partitions, 1, 1024),
                QueueCapacity = read.WholeNumber("Pipeline:QueueCapacity", pipelineDefaults.QueueCapacity, 1, 1_000_000),
                BatchBytes = read.WholeNumber("Pipeline:BatchBytes", pipelineDefaults.BatchBytes, 1024, 64 << 20),
                MaxRecordBytes = read.WholeNumber("Pipeline:MaxRecordBytes", pipelineDefaults.MaxRecordBytes, 64, 64 << 20),
            },
            topics,
            new DetectorOptions
            {
                AmountThreshold = configuration["Detector:AmountThreshold"] is null
                    ? null
                    : read.Number("Detector:AmountThreshold", 0, 0, double.MaxValue, "an amount of 0 or more"),
                Model = read.OptionalText("Detector:Model"),
                ShadowModel = read.OptionalText("Detector:ShadowModel"),
                Rules = read.OptionalText("Detector:Rules"),
            },
            new DashboardOptions
            {
                Enabled = read.Flag("Dashboard:Enabled", dashboardDefaults.Enabled),
                Host = host,
                Port = read.WholeNumber("Dashboard:Port", dashboardDefaults.Port, 0, 65535),
                AllowedHosts = read.List("Dashboard:AllowedHosts"),
                Security = security,
                EventsPerSecond = read.Number("Dashboard:EventsPerSecond", dashboardDefaults.EventsPerSecond, 0.1, 10_000, "a number of events per second from 0.1 to 10,000"),
            },
            output,
            read.OptionalSeconds("Demo:Duration"),
            ReadKafka(configuration, read),
            ReadSimulator(read),
            read.Duration("Labels:Delay", SourceOutputs.DefaultLabelDelay),
            new QualitySettings(
                read.OptionalText("Quality:Report"),
                read.WholeNumber("Quality:MaxPending", QualityTracker.DefaultMaxPending, 1_000, 500_000_000)),
            new DatasetOutput(read.OptionalText("Dataset:Out"), read.Choice("Dataset:Format", SimulatedDatasetFormat.Vigil)),
            ReadReplay(configuration, read),
            ReadFeatures(configuration, read))
        {
            Logs = LogSettings.Read(configuration),
            Onnx = Models.OnnxOptions.Read(configuration),
            Retraining = RetrainingSettings.Read(configuration),
            Cases = CaseSettings.Read(configuration),
        };
    }

    /// <summary>The feature set (a built-in one, extended by declared features) and where features are written.</summary>
    private static FeatureSettings ReadFeatures(LayeredConfiguration configuration, SettingReader read)
    {
        var declared = configuration.Configuration.GetSection("Features:Definitions").GetChildren().Select(c => c.Value ?? string.Empty).ToList();
        if (configuration["Features:Definitions"] is { Length: > 0 } list)
        {
            declared.AddRange(list.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }

        var name = read.Text("Features:Set", FeatureSet.VigilName);
        FeatureSet set;
        try
        {
            set = FeatureSet.Create(name, declared);
        }
        catch (FormatException e)
        {
            throw new UsageException($"invalid {configuration.Origin(configuration["Features:Set"] is null || declared.Count > 0 ? "Features:Definitions" : "Features:Set")}: {e.Message}");
        }

        return new FeatureSettings(
            set,
            read.OptionalText("Features:Out"),
            read.Duration("Features:AllowedLateness", FeatureSettings.DefaultAllowedLateness),
            read.OptionalText("Features:Checkpoint"),
            read.Duration("Features:JoinWindow", FeatureSettings.DefaultJoinWindow))
        {
            Limits = ReadLimits(read),
            IdleTimeout = read.Duration("Features:IdleTimeout", FeatureSettings.DefaultIdleTimeout),
        };
    }

    /// <summary>The bounds on feature state (<c>Features:MaxEntities</c>, <c>Features:MaxEventsPerEntity</c>), for the pipeline and <c>vigil serve</c>.</summary>
    public static FeatureStateLimits ReadLimits(SettingReader read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return new FeatureStateLimits(
            read.WholeNumber("Features:MaxEntities", FeatureStateLimits.DefaultMaxEntities, 10, int.MaxValue),
            read.WholeNumber("Features:MaxEventsPerEntity", FeatureStateLimits.DefaultMaxEventsPerEntity, 1, int.MaxValue));
    }

    private static ReplaySettings ReadReplay(LayeredConfiguration configuration, SettingReader read)
    {
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in configuration.Configuration.GetSection("Replay:Columns").GetChildren())
        {
            if (column.Value is not null)
            {
                columns[column.Key] = column.Value;
            }
        }

        if (configuration["Replay:Columns"] is { Length: > 0 } list)
        {
            foreach (var pair in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new UsageException($"invalid {configuration.Origin("Replay:Columns")} '{list}': expected FIELD=COLUMN,… such as amount=TransactionAmt,timestamp=TransactionDT");
                }

                columns[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
            }
        }

        return new ReplaySettings(
            read.OptionalText("Replay:Path"),
            read.OptionalText("Replay:Identities"),
            read.Choice("Replay:Format", DatasetFormat.Auto),
            columns,
            configuration["Replay:StartDate"] is null ? null : read.Date("Replay:StartDate", default));
    }

    /// <summary>The amount rule's threshold: as configured, else 220 (the simulator's scenario-1 bound) or the seed's 900.</summary>
    public double AmountThresholdFor(GeneratorProfile? profile) =>
        Detector.AmountThreshold ?? (profile == GeneratorProfile.Simulator ? new SimulatorOptions().FraudAmountThreshold : global::Vigil.Rules.RuleSet.SeedAmountThreshold);

    /// <summary>The simulator's parameters: the common ones have flags, every one can be set under <c>Simulator</c>.</summary>
    private static SimulatorOptions ReadSimulator(SettingReader read)
    {
        var d = new SimulatorOptions();
        const string Positive = "a positive number";
        const string NonNegative = "a number of 0 or more";
        var options = new SimulatorOptions
        {
            Customers = read.WholeNumber("Simulator:Customers", d.Customers, 1, 100_000_000),
            Terminals = read.WholeNumber("Simulator:Terminals", d.Terminals, 1, 100_000_000),
            Days = read.DaysOrNone("Simulator:Days", d.Days),
            StartDate = read.Date("Simulator:StartDate", d.StartDate),
            AreaSize = read.Number("Simulator:AreaSize", d.AreaSize, double.Epsilon, 1e9, Positive),
            Radius = read.Number("Simulator:Radius", d.Radius, double.Epsilon, 1e9, Positive),
            MinMeanAmount = read.Number("Simulator:MinMeanAmount", d.MinMeanAmount, 0, 1e9, NonNegative),
            MaxMeanAmount = read.Number("Simulator:MaxMeanAmount", d.MaxMeanAmount, 0, 1e9, NonNegative),
            MaxMeanTransactionsPerDay = read.Number("Simulator:MaxMeanTransactionsPerDay", d.MaxMeanTransactionsPerDay, 0, 500, "a number from 0 to 500"),
            MeanTimeOfDaySeconds = read.Number("Simulator:MeanTimeOfDaySeconds", d.MeanTimeOfDaySeconds, 0, 86_400, "a number of seconds from 0 to 86,400"),
            TimeOfDayStdDevSeconds = read.Number("Simulator:TimeOfDayStdDevSeconds", d.TimeOfDayStdDevSeconds, 0, 1e6, NonNegative),
            FraudAmountThreshold = read.Number("Simulator:FraudAmountThreshold", d.FraudAmountThreshold, 0, 1e12, NonNegative),
            CompromisedTerminalsPerDay = read.WholeNumber("Simulator:CompromisedTerminalsPerDay", d.CompromisedTerminalsPerDay, 0, 100_000_000),
            CompromisedTerminalDays = read.WholeNumber("Simulator:CompromisedTerminalDays", d.CompromisedTerminalDays, 1, 1_000_000),
            CompromisedCustomersPerDay = read.WholeNumber("Simulator:CompromisedCustomersPerDay", d.CompromisedCustomersPerDay, 0, 100_000_000),
            CompromisedCustomerDays = read.WholeNumber("Simulator:CompromisedCustomerDays", d.CompromisedCustomerDays, 1, 1_000_000),
            CompromisedCustomerFraudShare = read.Number("Simulator:CompromisedCustomerFraudShare", d.CompromisedCustomerFraudShare, 0, 1, "a share from 0 to 1"),
            CompromisedCustomerAmountFactor = read.Number("Simulator:CompromisedCustomerAmountFactor", d.CompromisedCustomerAmountFactor, 0, 1e6, NonNegative),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        return options;
    }

    /// <summary>The Kafka settings, or null when no brokers are named (the embedded runtime).</summary>
    private static KafkaOptions? ReadKafka(LayeredConfiguration configuration, SettingReader read)
    {
        var servers = read.OptionalText("Kafka:BootstrapServers") ?? read.OptionalText("Kafka:bootstrap.servers");
        if (servers is null)
        {
            return null;
        }

        var options = new KafkaOptions
        {
            BootstrapServers = servers,
            GroupId = read.Text("Kafka:GroupId", KafkaOptions.DefaultGroupId),
            InstanceId = read.OptionalText("Kafka:InstanceId"),
        };
        foreach (var setting in configuration.Configuration.GetSection("Kafka").GetChildren())
        {
            if (!KafkaOwnSettings.Contains(setting.Key) && setting.Key != "bootstrap.servers" && setting.Value is not null)
            {
                options.Settings[setting.Key] = setting.Value;
            }
        }

        return options;
    }
}

/// <summary>Where live quality goes besides the status (a JSON report file) and how long decisions wait for labels.</summary>
/// <param name="Report">A JSON file written at the end of the run, or null.</param>
/// <param name="MaxPending">Decisions and labels that may wait for their other half before the oldest expire.</param>
public sealed record QualitySettings(string? Report, int MaxPending);

/// <summary>What <c>vigil replay</c> reads: the file, an identities file, its format and column mapping.</summary>
public sealed record ReplaySettings(string? Path, string? Identities, DatasetFormat Format, IReadOnlyDictionary<string, string> Columns, DateOnly? StartDate);

/// <summary>The features computed before detection (and by <c>vigil features</c>), and how late a transaction may come.</summary>
/// <param name="Set">The declared features.</param>
/// <param name="Out">Where <c>vigil features</c> writes.</param>
/// <param name="AllowedLateness">How much older than the newest transaction seen one may be and still be computed in its place.</param>
/// <param name="Checkpoint">The file the feature state is checkpointed to and restored from, or null.</param>
/// <param name="JoinWindow">How far apart in event time a transaction and its identity may be and still join.</param>
public sealed record FeatureSettings(FeatureSet Set, string? Out, TimeSpan AllowedLateness, string? Checkpoint, TimeSpan JoinWindow)
{
    public static readonly TimeSpan DefaultAllowedLateness = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultJoinWindow = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Bounds on the feature state: entities kept, and transactions per entity.</summary>
    public FeatureStateLimits Limits { get; init; } = FeatureStateLimits.Default;

    /// <summary>How long a silent partition holds the watermark back (<see cref="FeatureStageOptions.IdleTimeout"/>).</summary>
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>The feature processor's options these settings give; <paramref name="joinIdentities"/> when the source publishes identities.</summary>
    /// <param name="state">Where the state is kept when not in the checkpoint file (a Kafka topic).</param>
    public FeatureStageOptions StageOptions(bool joinIdentities, ICheckpointStore? state = null) => new()
    {
        AllowedLateness = AllowedLateness,
        IdleTimeout = IdleTimeout,
        Limits = Limits,
        CheckpointPath = Checkpoint,
        CheckpointStore = state,
        JoinIdentities = joinIdentities,
        JoinWindow = JoinWindow,
    };
}

/// <summary>A dataset file for <c>vigil generate --out</c>.</summary>
public sealed record DatasetOutput(string? Path, SimulatedDatasetFormat Format);
