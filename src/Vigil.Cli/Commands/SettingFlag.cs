namespace Vigil.Cli.Commands;

/// <summary>A command-line flag that sets one configuration setting.</summary>
public sealed record SettingFlag(string Name, string HelpName, string Description, string Key)
{
    public static readonly SettingFlag Rate = new("--rate", "N|max", "Transactions per second the generator produces, or 'max' [env: TRANSACTIONS_PER_SECOND] [default: 1000]", "Generator:Rate");
    public static readonly SettingFlag Duration = new("--duration", "SECONDS", "Stop after this many seconds [default: run until Ctrl+C]", "Demo:Duration");
    public static readonly SettingFlag Count = new("--count", "N", "Stop after generating this many transactions", "Generator:Count");
    public static readonly SettingFlag Seed = new("--seed", "N", "Random seed; the same seed generates the same transactions [default: random, printed at the end]", "Generator:Seed");
    public static readonly SettingFlag Out = new("--out", "DIR", "Write each output topic to DIR/<topic>.jsonl", "Output:Directory");
    public static readonly SettingFlag Threshold = new("--threshold", "AMOUNT", "Transactions of this amount or more are fraud [default: 900]", "Detector:AmountThreshold");
    public static readonly SettingFlag Partitions = new("--partitions", "N", "Partitions per topic [default: number of cores]", "Pipeline:Partitions");
    public static readonly SettingFlag Port = new("--port", "PORT", "Dashboard port; 0 picks a free one [default: 8080]", "Dashboard:Port");
    public static readonly SettingFlag Host = new("--host", "ADDRESS", "Dashboard address [default: 127.0.0.1]", "Dashboard:Host");
    public static readonly SettingFlag Kafka = new("--kafka", "BROKERS", "Kafka bootstrap servers (host:port,…) [env: KAFKA_BROKER_URL]", "Kafka:BootstrapServers");
    public static readonly SettingFlag KafkaOrMock = Kafka with { Description = "Run on Kafka: bootstrap servers (host:port,…), or 'mock' for an in-process mock cluster [env: KAFKA_BROKER_URL] [default: embedded, no Kafka]" };
    public static readonly SettingFlag Group = new("--group", "ID", "Consumer group of the detectors; instances in one group share the partitions [default: vigil-detector]", "Kafka:GroupId");
    public static readonly SettingFlag Brokers = new("--brokers", "N", "Brokers in the mock cluster [default: 1]", "Mock:Brokers");
}
