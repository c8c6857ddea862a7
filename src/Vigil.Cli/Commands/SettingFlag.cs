namespace Vigil.Cli.Commands;

/// <summary>A command-line flag that sets one configuration setting.</summary>
public sealed record SettingFlag(string Name, string HelpName, string Description, string Key)
{
    public static readonly SettingFlag Rate = new("--rate", "N|max", "Transactions per second the generator produces, or 'max' [env: TRANSACTIONS_PER_SECOND] [default: 1000]", "Generator:Rate");
    public static readonly SettingFlag Duration = new("--duration", "SECONDS", "Stop after this many seconds [default: run until Ctrl+C]", "Demo:Duration");
    public static readonly SettingFlag Count = new("--count", "N", "Stop after generating this many transactions", "Generator:Count");
    public static readonly SettingFlag Seed = new("--seed", "N", "Random seed; the same seed and settings generate the same transactions [default: random, printed at the end]", "Generator:Seed");
    public static readonly SettingFlag Out = new("--out", "DIR", "Write each output topic to DIR/<topic>.jsonl", "Output:Directory");
    public static readonly SettingFlag Threshold = new("--threshold", "AMOUNT", "Transactions of this amount or more are fraud [default: 220 with the simulator profile (its scenario-1 bound), else 900 (the seed's rule)]", "Detector:AmountThreshold");
    public static readonly SettingFlag DetectThreshold = Threshold with { Description = "Transactions of this amount or more are fraud [default: 900, the seed's rule]" };
    public static readonly SettingFlag Profile = new("--profile", "simulator|seed", "simulator: the Fraud Detection Handbook's simulator, with ground truth on the labels topic; seed: the seed tutorials' random transactions [default: simulator]", "Generator:Profile");
    public static readonly SettingFlag Speed = new("--speed", "FACTOR|realtime", "Pace by event time instead of --rate: realtime, or a factor such as 3600 (an hour of event time a second)", "Generator:Speed");
    public static readonly SettingFlag Customers = new("--customers", "N", "Simulated customers [default: 5000]", "Simulator:Customers");
    public static readonly SettingFlag Terminals = new("--terminals", "N", "Simulated terminals [default: 10000]", "Simulator:Terminals");
    public static readonly SettingFlag Days = new("--days", "N|none", "Days to simulate; none runs until stopped [default: 183]", "Simulator:Days");
    public static readonly SettingFlag StartDate = new("--start-date", "YYYY-MM-DD", "Event time of the first simulated day [default: 2018-04-01]", "Simulator:StartDate");
    public static readonly SettingFlag Radius = new("--radius", "R", "Customers use the terminals closer than this, on a 100 x 100 square [default: 5]", "Simulator:Radius");
    public static readonly SettingFlag LabelDelay = new("--label-delay", "DURATION", "Event time between a transaction and its label (fraud is reported late), e.g. 7d, 36h, 0 [default: 7d]", "Labels:Delay");
    public static readonly SettingFlag Report = new("--report", "FILE", "Write detection quality (precision, recall, confusion matrix, money caught and missed) as JSON to FILE at the end", "Quality:Report");
    public static readonly SettingFlag DatasetOut = new("--out", "FILE", "Write the simulated transactions with their ground truth to a CSV file (FILE.csv.gz compresses) instead of Kafka", "Dataset:Out");
    public static readonly SettingFlag DatasetFormat = new("--format", "vigil|handbook", "CSV columns: vigil (transaction_id,timestamp,…,fraud,fraud_scenario) or handbook (TRANSACTION_ID,TX_DATETIME,…,TX_FRAUD_SCENARIO) [default: vigil]", "Dataset:Format");
    public static readonly SettingFlag Partitions = new("--partitions", "N", "Partitions per topic [default: number of cores]", "Pipeline:Partitions");
    public static readonly SettingFlag Port = new("--port", "PORT", "Dashboard port; 0 picks a free one [default: 8080]", "Dashboard:Port");
    public static readonly SettingFlag Host = new("--host", "ADDRESS", "Dashboard address [default: 127.0.0.1]", "Dashboard:Host");
    public static readonly SettingFlag Kafka = new("--kafka", "BROKERS", "Kafka bootstrap servers (host:port,…) [env: KAFKA_BROKER_URL]", "Kafka:BootstrapServers");
    public static readonly SettingFlag KafkaOrMock = Kafka with { Description = "Run on Kafka: bootstrap servers (host:port,…), or 'mock' for an in-process mock cluster [env: KAFKA_BROKER_URL] [default: embedded, no Kafka]" };
    public static readonly SettingFlag Group = new("--group", "ID", "Consumer group of the detectors; instances in one group share the partitions [default: vigil-detector]", "Kafka:GroupId");
    public static readonly SettingFlag Brokers = new("--brokers", "N", "Brokers in the mock cluster [default: 1]", "Mock:Brokers");

    public static readonly SettingFlag ReplayFormat = new("--format", "auto|vigil|handbook|ulb|ieee", "The file's layout: auto tells it from the header [default: auto]", "Replay:Format");
    public static readonly SettingFlag Columns = new("--columns", "FIELD=COLUMN,…", "Map Vigil's fields to the file's columns: transaction_id, timestamp, customer_id, terminal_id, amount, currency, fraud, fraud_scenario (e.g. amount=TransactionAmt,fraud=isFraud)", "Replay:Columns");
    public static readonly SettingFlag Identities = new("--identities", "FILE", "A second CSV (IEEE-CIS identities), published to queueing.identities with its transaction's time and joined to its transaction by id before detection (\"identity\" in the record)", "Replay:Identities");
    public static readonly SettingFlag JoinIdentities = new("--join-identities", "true|false", "On Kafka, join each transaction with its record on queueing.identities [default: false]", "Features:JoinIdentities");
    public static readonly SettingFlag DetectInput = new("--input", "TOPIC", "The topic to decide: queueing.transactions, or vigil.transactions.featured behind vigil features --kafka [default: queueing.transactions]", "Topics:Transactions");
    public static readonly SettingFlag JoinWindow = new("--join-window", "DURATION", "How far apart in event time a transaction and its identity may be and still join [default: 1m]", "Features:JoinWindow");
    public static readonly SettingFlag ReplayStartDate = new("--start-date", "YYYY-MM-DD", "The date numeric timestamps count seconds from [default: 2013-09-01 for ULB, 2017-12-01 for IEEE-CIS]", "Replay:StartDate");

    public static readonly SettingFlag Data = new("--data", "FILE", "The dataset to read (CSV or CSV.gz; formats as for vigil replay)", "Replay:Path");
    public static readonly SettingFlag FeaturesOut = new("--out", "FILE", "Write the dataset's rows with their features to FILE (FILE.csv.gz compresses)", "Features:Out");
    public static readonly SettingFlag FeatureSet = new("--feature-set", "vigil|handbook|none", "The features computed before detection: vigil (customer_nb_tx_7d, terminal_risk_30d, …), handbook (the Fraud Detection Handbook's 14, under its column names) or none [default: vigil]", "Features:Set");
    public static readonly SettingFlag Feature = new("--feature", "'NAME = AGGREGATE(ENTITY, WINDOW[, delay D])';…", "Declare more features, e.g. 'customer_sum_amount_3d = sum_amount(customer, 3d)'; aggregates: count, avg_amount, max_amount, sum_amount, risk, distinct_counterparties, same_amount_counterparties", "Features:Definitions");

    public static readonly SettingFlag AllowedLateness = new("--allowed-lateness", "DURATION", "How much older than the newest transaction of its partition one may arrive and still be computed in its place; later ones are computed as of the newest time and counted as late [default: 5s]", "Features:AllowedLateness");
    public static readonly SettingFlag Checkpoint = new("--checkpoint", "FILE", "Checkpoint the feature state (with the input positions it matches) to FILE every 10 seconds and at the end, and resume from it on start", "Features:Checkpoint");

    /// <summary>The flags of the feature stage that runs before detection.</summary>
    public static readonly IReadOnlyList<SettingFlag> Features = [FeatureSet, Feature, AllowedLateness, Checkpoint];

    public static readonly SettingFlag ReplayRate = Rate with { Description = "Rows per second read from the file, or 'max' [env: TRANSACTIONS_PER_SECOND] [default: 1000]" };
    public static readonly SettingFlag ReplayCount = Count with { Description = "Stop after reading this many rows" };

    /// <summary>The flags that shape what the simulator generates, and its labels.</summary>
    public static readonly IReadOnlyList<SettingFlag> Simulation = [Profile, Customers, Terminals, Days, StartDate, Radius, LabelDelay];
}
