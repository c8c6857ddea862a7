using Vigil.Detection;
using Vigil.Kafka.Configuration;
using Vigil.Runtime.Pipeline;
using Vigil.Simulation;
using Microsoft.Extensions.Configuration;
using Vigil.Web.Dashboard;

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
    KafkaOptions? Kafka)
{
    /// <summary>Settings under <c>Kafka</c> that are Vigil's own; every other name there is a librdkafka setting.</summary>
    private static readonly HashSet<string> KafkaOwnSettings = new(StringComparer.OrdinalIgnoreCase) { "BootstrapServers", "GroupId" };

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
        };
        var names = new[] { topics.Transactions, topics.Legit, topics.Fraud, topics.DeadLetter };
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

        var pipelineDefaults = new PipelineOptions();
        var dashboardDefaults = new DashboardOptions();
        return new VigilSettings(
            new GeneratorOptions
            {
                RatePerSecond = read.Rate("Generator:Rate", GeneratorOptions.DefaultRate),
                Seed = read.OptionalSeed("Generator:Seed"),
                Count = read.OptionalCount("Generator:Count", "a positive whole number of transactions"),
            },
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
                AmountThreshold = read.Number("Detector:AmountThreshold", new DetectorOptions().AmountThreshold, 0, double.MaxValue, "an amount of 0 or more"),
            },
            new DashboardOptions
            {
                Enabled = read.Flag("Dashboard:Enabled", dashboardDefaults.Enabled),
                Host = host,
                Port = read.WholeNumber("Dashboard:Port", dashboardDefaults.Port, 0, 65535),
                EventsPerSecond = read.Number("Dashboard:EventsPerSecond", dashboardDefaults.EventsPerSecond, 0.1, 10_000, "a number of events per second from 0.1 to 10,000"),
            },
            output,
            read.OptionalSeconds("Demo:Duration"),
            ReadKafka(configuration, read));
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
