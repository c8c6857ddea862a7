namespace Vigil.Cli.Commands;

/// <summary>A command-line flag that sets one configuration setting.</summary>
public sealed record SettingFlag(string Name, string HelpName, string Description, string Key)
{
    /// <summary>Other names the flag answers to.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Whether the value is a secret: given as a flag, it is visible to every user of the machine (ps, shell history), and a warning says so.</summary>
    public bool Secret { get; init; }

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
    public static readonly SettingFlag Partitions = new("--partitions", "N", "Partitions per topic, and so feature and detection tasks: the full path runs on this many cores [default: number of cores]", "Pipeline:Partitions");
    public static readonly SettingFlag Port = new("--port", "PORT", "Dashboard port; 0 picks a free one [default: 8080]", "Dashboard:Port");
    public static readonly SettingFlag Host = new("--host", "ADDRESS", "Dashboard address [default: 127.0.0.1]", "Dashboard:Host");
    public static readonly SettingFlag AllowedHosts = new("--allowed-hosts", "NAME,…", "Host names the dashboard answers besides its address's own (DNS rebinding is refused); * for any [default: the address; localhost too on loopback]", "Dashboard:AllowedHosts");
    public static readonly SettingFlag Kafka = new("--kafka", "BROKERS", "Kafka bootstrap servers (host:port,…) [env: KAFKA_BROKER_URL]", "Kafka:BootstrapServers");
    public static readonly SettingFlag KafkaOrMock = Kafka with { Description = "Run on Kafka: bootstrap servers (host:port,…), or 'mock' for an in-process mock cluster [env: KAFKA_BROKER_URL] [default: embedded, no Kafka]" };
    public static readonly SettingFlag Group = new("--group", "ID", "Consumer group of the detectors; instances in one group share the partitions [default: vigil-detector]", "Kafka:GroupId");
    public static readonly SettingFlag InstanceId = new("--instance-id", "NAME", "This instance's stable name in its group (static membership): restarted under the same name it gets its partitions back at once; never give two running instances one name [default: none; a dead instance's partitions move after 10 s]", "Kafka:InstanceId");
    public static readonly SettingFlag ValueFormat = new("--value-format", "json|avro", "Records on the Kafka topics: json, or avro in Confluent's wire format with schemas in a schema registry (ksqlDB's VALUE_FORMAT) [default: json]", "Records:ValueFormat");
    public static readonly SettingFlag SchemaRegistry = new("--schema-registry", "URL", "The schema registry for --value-format avro (vigil kafka mock starts one) [env: SCHEMA_REGISTRY_URL]", "SchemaRegistry:Url");
    public static readonly SettingFlag SchemaRegistryConfigFile = new("--schema-registry-config-file", "FILE", "More settings of the schema registry client, KEY=VALUE lines as Confluent's clients take them (basic.auth.user.info, ssl.ca.location, …); SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO sets USER:PASSWORD", "SchemaRegistry:ConfigFile");
    public static readonly SettingFlag[] ValueFormats = [ValueFormat, SchemaRegistry, SchemaRegistryConfigFile];
    public static readonly SettingFlag RegistryPort = new("--registry-port", "PORT", "Port of the in-memory schema registry on 127.0.0.1; 0 picks a free one [default: 0]", "Mock:RegistryPort");
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

    public static readonly SettingFlag AllowedLateness = new("--allowed-lateness", "DURATION", "The most a partition is waited for once its transactions have come out of order (partitions in order are not waited for); a transaction later than that is computed as of the newest time and counted as late [default: 5s]", "Features:AllowedLateness");
    public static readonly SettingFlag IdleTimeout = new("--idle-timeout", "DURATION", "How long a partition that delivers nothing holds the others back before its silence counts as having nothing to send; records it brings later than that are computed as of the newest time and counted as late. Longer rides out a broker's outage exactly, at the price of waiting that long for a partition that is merely quiet [default: 1s]", "Features:IdleTimeout");
    public static readonly SettingFlag StateTopic = new("--state-topic", "TOPIC", "Keep the feature state (with the input offsets it matches) in a Kafka topic instead of a file, every 10 seconds and at the end, so that the service restarted on any machine resumes from it (vigil kafka mock makes vigil.features.state)", "Features:StateTopic");

    public static readonly SettingFlag FeatureGroup = new("--group", "ID", "Run as one member of a consumer group of feature services: the members share the tasks (one per partition of queueing.transactions) and each task's state is kept in --state-topic, so tasks move with their state when members come and go; needs vigil.features.repartition with as many partitions (vigil kafka mock makes it) [default: one service that reads every partition]", "Features:Group");
    public static readonly SettingFlag FeatureInstanceId = InstanceId with { Description = "This member's stable name in its group (static membership): restarted under the same name it gets its tasks back at once; never give two running members one name [default: none; a dead member's tasks move after 6 s]" };

    public static readonly SettingFlag Checkpoint = new("--checkpoint", "FILE", "Checkpoint the feature state (with the input positions it matches) to FILE every 10 seconds and at the end, and resume from it on start", "Features:Checkpoint");

    public static readonly SettingFlag DetectModel = new("--model", "MODEL.json|MODEL.onnx", "Score every transaction with a trained model (vigil train, or ONNX) as well as the rules; its features are computed too; replacing the file swaps the model live", "Detector:Model");
    public static readonly SettingFlag Retrain = new("--retrain", "true|false", "Without --model, train models from the pipeline's own decisions once their labels mature: a challenger in shadow, promoted when it beats the deciding model (see docs/RETRAINING.md) [default: true]", "Retraining:Enabled");
    public static readonly SettingFlag RetrainEvery = new("--retrain-every", "DURATION", "Event time between two trainings; each new model is judged before the next is trained [default: 7d]", "Retraining:Every");
    public static readonly SettingFlag TrainingWindow = new("--training-window", "DURATION", "The labelled transactions a model learns from: this much event time, ending at the newest label [default: 14d]", "Retraining:Window");
    public static readonly SettingFlag TrainOnVerdicts = new("--train-on-verdicts", "true|false", "Fit each model on analysts' verdicts too (the review queue, --investigators): those of the days whose reports have not come, when those days look like the reports' window; it is tuned on reports, and judged only on what is decided after its training once reported, 10 days later instead of 3 (see docs/RETRAINING.md) [default: false]", "Retraining:Verdicts");
    public static readonly SettingFlag DataDirectory = new("--data-dir", "DIR", "Where the pipeline keeps what it learns: vigil.db (its model registry and cases, SQLite) and the model files in DIR/models/<run>/ (each usable with --model, with models.json) [default: vigil-data]", "Data:Directory");
    public static readonly SettingFlag Database = new("--database", "sqlite|CONNECTION", "Where the model registry and cases live: sqlite (vigil.db in --data-dir) or a PostgreSQL connection string, Host=…;Database=…;Username=…;Password=… (better from VIGIL_DATA__DATABASE: a flag is visible to every user) [default: sqlite]", "Data:Database") { Secret = true };
    public static readonly SettingFlag Cases = new("--cases", "true|false", "File every alert as a case, one open case per card, in Vigil's database (--data-dir, --database); the dashboard's review queue lists them, and an analyst's verdict is a label at once (see docs/REVIEW.md) [default: true]", "Cases:Enabled");
    public static readonly SettingFlag ReviewCapacity = new("--review-capacity", "N", "Cases the review team handles a day: the queue marks that many of the riskiest open cases as today's work and ranks the rest below, never dropping them [default: none]", "Cases:Capacity");
    public static readonly SettingFlag CaseRun = new("--run", "RUN", "The run whose cases to list, as vigil demo named it (its start, e.g. 20261204-194335) [default: the latest run with cases]", "CaseList:Run");
    public static readonly SettingFlag CaseStatus = new("--status", "open|fraud|genuine|all", "Which cases to list [default: all]", "CaseList:Status");
    public static readonly SettingFlag CaseAudit = new("--audit", "true|false", "Print the run's audit trail (who did what to which case or model, when, before and after) instead of its cases [default: false]", "CaseList:Audit");
    public static readonly SettingFlag DemoInvestigators = new("--investigators", "K", "Simulated analysts: at the start of each simulated day they review the K riskiest open cases and know their truth (a case is fraud when any alert was); their verdicts are labels at once, as an analyst's. At most 500; needs a source with labels and event time, and cases [default: 0, none]", "Cases:Investigators");
    public static readonly SettingFlag Rules = new("--rules", "RULES.yaml", "Decide with the rules of a rules file instead of the amount rule (see vigil rules check --help); editing the file, or a list file it reads, swaps the rules live", "Detector:Rules");
    public static readonly SettingFlag ServeRules = Rules with { Description = "Decide /v1/score with the rules of a rules file, then the model, as the pipeline does (see vigil rules check --help); editing the file swaps the rules live [default: the model alone]" };
    public static readonly SettingFlag MetricsPort = new("--metrics-port", "PORT", "Serve the operations port: GET /healthz (alive), /readyz (200 once ready: partitions assigned, state restored; else 503 with what it waits for), as Kubernetes probes them, and /metrics for Prometheus (role view, or open with Security:OpenMetrics); 0 picks a free one [default: none]", "Operations:Port");
    public static readonly SettingFlag MetricsHost = new("--metrics-host", "ADDRESS", "Address of the operations port; another than loopback needs API keys or --insecure, as the dashboard's [default: 127.0.0.1]", "Operations:Host");
    public static readonly SettingFlag RulesKeyFile = new("--rules-key-file", "FILE", "A file holding the rules key: rule sets on the control topic are signed with it (HMAC-SHA256) and taken only when they verify; the key also comes from VIGIL_RULES_KEY", "Rules:SigningKeyFile");
    public static readonly SettingFlag RulesTopic = new("--rules-topic", "TOPIC", "Follow the rules control topic: every rule set published there (vigil rules publish) is swapped in [default: not followed; vigil rules publish writes to vigil.rules]", "Topics:Rules");
    public static readonly SettingFlag SlackWebhook = new("--slack-webhook", "URL", "Send fraud alerts to a Slack incoming webhook [env: SLACK_WEBHOOK_URL]", "Alerts:SlackWebhook") { Secret = true };
    public static readonly SettingFlag SlackChannel = new("--slack-channel", "CHANNEL", "Send fraud alerts to a Slack channel with chat.postMessage, authenticated by the bot token in SLACK_API_TOKEN", "Alerts:SlackChannel");
    public static readonly SettingFlag SlackApiUrl = new("--slack-api-url", "URL", "The Slack Web API to post to [default: https://slack.com/api/]", "Alerts:SlackApiUrl");
    public static readonly SettingFlag Webhook = new("--webhook", "URL", "POST fraud alerts as JSON to a webhook", "Alerts:Webhook");
    public static readonly SettingFlag WebhookSecret = new("--webhook-secret", "SECRET", "Sign webhook messages: X-Vigil-Signature: sha256=HMAC-SHA256(SECRET, X-Vigil-Timestamp + '.' + body) [env: WEBHOOK_SECRET]", "Alerts:WebhookSecret") { Secret = true };
    public static readonly SettingFlag AlertConsole = new("--alert-console", "true|false", "Print each alert on the console [default: true for vigil alert, false for vigil demo]", "Alerts:Console");
    public static readonly SettingFlag DashboardUrl = new("--dashboard-url", "URL", "The dashboard alerts link to [default: the demo's own; none for vigil alert]", "Alerts:DashboardUrl");
    public static readonly IReadOnlyList<SettingFlag> AlertSinks = [SlackWebhook, SlackChannel, SlackApiUrl, Webhook, WebhookSecret, AlertConsole];
    public static readonly SettingFlag ShadowModel = new("--shadow-model", "MODEL.json", "A second model scored in shadow: its score is written on every decision, it decides nothing", "Detector:ShadowModel");

    /// <summary>The flags of the feature stage that runs before detection.</summary>
    public static readonly SettingFlag MaxEntities = new("--max-entities", "N", "Customers (and terminals, …) whose windows are kept; beyond it the least recently seen are forgotten, a tenth at a time (about 300 bytes each per group of features) [default: 1,000,000]", "Features:MaxEntities");
    public static readonly SettingFlag MaxEventsPerEntity = new("--max-events-per-entity", "N", "Transactions one customer or terminal keeps in its windows; beyond it the oldest leave early, so its counts cover its latest N [default: 10,000]", "Features:MaxEventsPerEntity");
    public static readonly IReadOnlyList<SettingFlag> Features = [FeatureSet, Feature, AllowedLateness, Checkpoint, MaxEntities, MaxEventsPerEntity];

    public static readonly SettingFlag ReplayRate = Rate with { Description = "Rows per second read from the file, or 'max' [env: TRANSACTIONS_PER_SECOND] [default: 1000]" };
    public static readonly SettingFlag ReplayCount = Count with { Description = "Stop after reading this many rows" };

    /// <summary>The flags that shape what the simulator generates, and its labels.</summary>
    public static readonly IReadOnlyList<SettingFlag> Simulation = [Profile, Customers, Terminals, Days, StartDate, Radius, LabelDelay];

    public static readonly SettingFlag ModelKind = new("--model", "lr|gbt|iforest", "The algorithm: lr (logistic regression), gbt (gradient-boosted trees) or iforest (isolation forest, unsupervised) [default: gbt]", "Model:Path");
    public static readonly SettingFlag ModelFile = new("--model", "MODEL.json|MODEL.onnx|lr|gbt|iforest", "A trained model file to score with, or an algorithm to train on each split of --protocol", "Model:Path");
    /// <summary>An .onnx model's input names and threshold, where its metadata does not give them (docs/MODELS.md).</summary>
    public static readonly SettingFlag[] Onnx =
    [
        new("--onnx-inputs", "NAME,…", "For an .onnx model whose one input takes several values: their names, in order (features, amount, record fields) [default: its vigil.inputs metadata]", "Model:OnnxInputs"),
        new("--onnx-threshold", "SCORE", "For an .onnx model: the score from which a transaction is fraud [default: its vigil.threshold metadata, else 0.5]", "Model:OnnxThreshold"),
    ];

    public static readonly SettingFlag ServeModel = new("--model", "MODEL.json|MODEL.onnx", "The model file to serve; replacing the file swaps the model without a restart", "Model:Path");
    public static readonly SettingFlag ExportModel = new("--model", "MODEL.json", "The Vigil model to export: logistic regression (lr) or gradient-boosted trees (gbt)", "Model:Path");
    public static readonly SettingFlag ExportFormat = new("--format", "onnx", "The format to write: onnx (ONNX opset 13 with ai.onnx.ml opset 3) [default: onnx]", "Export:Format");
    public static readonly SettingFlag ExportOut = new("--out", "MODEL.onnx", "Write the exported model to this file", "Model:Out");
    public static readonly SettingFlag ModelOut = new("--out", "MODEL.json", "Write the trained model to this file", "Model:Out");
    public static readonly SettingFlag Inputs = new("--inputs", "NAME,…", "The model's inputs: features, amount, numeric columns of the file, or ratios a/b of them [default: every feature of the set, amount, the amount's ratios to the customer's average and largest amounts, and the file's other numeric columns]", "Model:Inputs")
    {
        Aliases = ["--features"],
    };
    public static readonly SettingFlag Label = new("--label", "COLUMN", "The column holding the label, 1 for fraud [default: the format's: fraud, TX_FRAUD, Class, isFraud]", "Training:Label");
    public static readonly SettingFlag TrainFrom = new("--from", "YYYY-MM-DD", "Train on rows from this day (features still read all the history before it)", "Training:From");
    public static readonly SettingFlag TrainTo = new("--to", "YYYY-MM-DD", "Train on rows up to this day, included", "Training:To");
    public static readonly SettingFlag ModelSeed = new("--seed", "N", "Random seed of row and column sampling; the same data, seed and settings train the same model [default: 42]", "Training:Seed");
    public static readonly SettingFlag ModelThreshold = new("--threshold", "SCORE", "Scores at or above this are fraud [default: gbt, half the best F1 on its held-out rows; lr, the best F1 on its training rows; iforest, from --contamination]", "Model:Threshold");
    public static readonly SettingFlag Trees = new("--trees", "N", "gbt: the most trees, early stopping may keep fewer [default: 300]; iforest: trees [default: 100]", "Training:Trees");
    public static readonly SettingFlag LearningRate = new("--learning-rate", "ETA", "gbt: shrinkage of each tree [default: 0.05]", "Training:LearningRate");
    public static readonly SettingFlag MaxDepth = new("--max-depth", "N", "gbt: the deepest a tree grows [default: 6]", "Training:MaxDepth");
    public static readonly SettingFlag MaxLeaves = new("--max-leaves", "N", "gbt: leaves per tree, best split first [default: 7]", "Training:MaxLeaves");
    public static readonly SettingFlag MinChildWeight = new("--min-child-weight", "H", "gbt: the least hessian either side of a split [default: 1]", "Training:MinChildWeight");
    public static readonly SettingFlag L2 = new("--l2", "LAMBDA", "gbt: L2 regularization of leaf values [default: 1]", "Training:L2");
    public static readonly SettingFlag RowSample = new("--row-sample", "SHARE", "gbt: share of rows each tree learns from [default: 0.8]", "Training:RowSample");
    public static readonly SettingFlag ColumnSample = new("--column-sample", "SHARE", "gbt: share of inputs each tree may split on [default: 0.8]", "Training:ColumnSample");
    public static readonly SettingFlag ValidationFraction = new("--validation-fraction", "SHARE", "gbt: the latest share of training rows held out for early stopping and the threshold [default: 0.15]", "Training:ValidationFraction");
    public static readonly SettingFlag EarlyStopping = new("--early-stopping", "N", "gbt: stop when the validation loss has not improved in N trees; 0 never [default: 30]", "Training:EarlyStopping");
    public static readonly SettingFlag Refit = new("--refit", "true|false", "gbt: once early stopping has chosen the number of trees, train again on every row, held-out ones included [default: true]", "Training:Refit");
    public static readonly SettingFlag LinearBase = new("--linear-base", "true|false", "gbt: boost from a logistic regression's margin instead of a constant [default: true]", "Training:LinearBase");
    public static readonly SettingFlag RegularizationC = new("--c", "C", "lr: inverse L2 strength, as scikit-learn's C [default: 1]", "Training:C");
    public static readonly SettingFlag ClassWeight = new("--class-weight", "balanced|W", "lr and gbt: weight of fraud rows, or balanced (inverse class frequency) [default: 1]", "Training:ClassWeight");
    public static readonly SettingFlag SampleSize = new("--sample-size", "N", "iforest: rows drawn to grow each tree [default: 256]", "Training:SampleSize");
    public static readonly SettingFlag AlertsPerDay = new("--alerts-per-day", "N", "lr, gbt: set the threshold so that the held-out days get at most N alerts a day, what the review team can handle (instead of the best F1)", "Training:AlertsPerDay");
    public static readonly SettingFlag MissedFraudCost = new("--missed-fraud-cost", "COST", "lr, gbt: with --review-cost, set the threshold where missed frauds and reviews cost least on the held-out rows", "Training:MissedFraudCost");
    public static readonly SettingFlag ReviewCost = new("--review-cost", "COST", "lr, gbt: what an analyst's review of one alert costs, in the unit of --missed-fraud-cost", "Training:ReviewCost");
    public static readonly SettingFlag RetrainAlertsPerDay = AlertsPerDay with { Description = "Set each self-trained model's threshold so that its held-out days get at most N alerts a day, what the review team can handle (instead of the best F1); with --model, choose it in vigil train [default: the best F1]" };
    public static readonly SettingFlag RetrainMissedFraudCost = MissedFraudCost with { Description = "With --review-cost, set each self-trained model's threshold where missed frauds and reviews cost least on its held-out rows" };
    public static readonly SettingFlag RetrainReviewCost = ReviewCost with { Description = "What an analyst's review of one alert costs, in the unit of --missed-fraud-cost" };
    public static readonly SettingFlag[] Retraining = [Retrain, RetrainEvery, TrainingWindow, TrainOnVerdicts, RetrainAlertsPerDay, RetrainMissedFraudCost, RetrainReviewCost, DataDirectory, Database, Cases, ReviewCapacity, DemoInvestigators];
    public static readonly SettingFlag Contamination = new("--contamination", "SHARE", "iforest: the share of rows flagged [default: the training fraud rate, else 0.01]", "Training:Contamination");
    public static readonly SettingFlag Protocol = new("--protocol", "handbook|random70|none", "handbook: the Fraud Detection Handbook's single split and 4 prequential folds; random70: a random 70/30 split; none: score the whole file with a model file [default: none]", "Evaluation:Protocol");
    public static readonly SettingFlag Investigators = new("--investigators", "K", "handbook protocol: K simulated analysts' reviews a day: the K cards the model finds riskiest each day of the delay week have their truth known at once, and a second model trains with that feedback; both are reported [default: 0, delayed labels only]", "Evaluation:Investigators");
    public static readonly SettingFlag TrainStart = new("--train-start", "YYYY-MM-DD", "handbook protocol: the single split's first training day [default: 2018-07-25]", "Evaluation:TrainStart");
    public static readonly SettingFlag EvaluationReport = new("--report", "FILE.json|FILE.html|FILE.md,…", "Write the results: JSON (auc_roc, average_precision, card_precision_at_100 per split), or HTML or Markdown with ROC and precision-recall curves", "Evaluation:Report");

    public static readonly SettingFlag ServePort = new("--port", "PORT", "Port to serve on; 0 picks a free one [default: 5000, as MLflow's]", "Serve:Port");
    /// <summary>What every command that serves HTTP takes besides <c>--insecure</c>; keys themselves come from VIGIL_API_KEYS or the config file, never a flag.</summary>
    public static readonly SettingFlag[] WebSecurity =
    [
        new("--api-keys-file", "FILE", "Hashed API keys, one 'role sha256:HEX' a line (vigil keys new prints them); keys also come from VIGIL_API_KEYS=role=key,… [roles: score, view, admin] [default: none: loopback only]", "Security:ApiKeysFile"),
        new("--tls-certificate", "FILE", "Serve HTTPS with this certificate: PEM (its key in --tls-key or the same file) or .pfx/.p12; a password comes from VIGIL_TLS_PASSWORD [default: HTTP]", "Security:TlsCertificate"),
        new("--tls-key", "FILE", "The PEM private key of --tls-certificate", "Security:TlsKey"),
    ];

    /// <summary>How a long-running command logs (<see cref="Logging.LogSettings"/>).</summary>
    public static readonly SettingFlag[] Logging =
    [
        new("--log-format", "text|json", "Log lines as text, or as one JSON object a line (time, level, category, event, message and the entry's values) for a log collector [default: text]", "Logging:Format"),
        new("--log-level", "LEVEL|CATEGORY=LEVEL,…", "The least level logged, for all (Warning) or by category (Vigil.Kafka=Debug; categories: Vigil.Kafka, Vigil.Rules, Vigil.Models, Vigil.Alerts, Vigil.Web, Vigil.Hosting, Microsoft.*) [config: Logging:LogLevel:CATEGORY] [default: Information]", "Logging:Level"),
    ];

    public static readonly SettingFlag OtlpEndpoint = new("--otlp-endpoint", "URL", "Send a trace span for each record decided to this OpenTelemetry collector (OTLP; OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf for HTTP): the child of the record's traceparent header, written as the output's traceparent [env: OTEL_EXPORTER_OTLP_ENDPOINT] [default: no traces]", "Tracing:OtlpEndpoint");
    public static readonly SettingFlag TraceSampleRatio = new("--trace-sample-ratio", "RATIO", "The share of records without a traceparent that start a trace of their own; records whose producer sampled them are always traced [default: 0]", "Tracing:SampleRatio");

    public static readonly SettingFlag ServeHost = new("--host", "ADDRESS", "Address to serve on [default: 127.0.0.1]", "Serve:Host");
    public static readonly SettingFlag ServeAllowedHosts = new("--allowed-hosts", "NAME,…", "Host names answered besides the address's own (DNS rebinding is refused); * for any [default: the address; localhost too on loopback]", "Serve:AllowedHosts");
    public static readonly SettingFlag SuppliedFeatures = new("--supplied-features", "true|false", "/v1/score scores the \"features\" a request carries instead of computing them; otherwise such a request is refused [default: false]", "Serve:SuppliedFeatures");
    public static readonly SettingFlag MaxClockSkew = new("--max-clock-skew", "DURATION", "/v1/score refuses a timestamp further ahead of the server's clock than this (it would age the live state) [default: 5m]", "Serve:MaxClockSkew");

    /// <summary>The settings of each algorithm, for vigil train and vigil evaluate.</summary>
    public static readonly IReadOnlyList<SettingFlag> Training =
        [ModelSeed, ModelThreshold, Trees, LearningRate, MaxDepth, MaxLeaves, MinChildWeight, L2, RowSample, ColumnSample, ValidationFraction, EarlyStopping, Refit, LinearBase,
         AlertsPerDay, MissedFraudCost, ReviewCost, RegularizationC, ClassWeight, SampleSize, Contamination];

    /// <summary>What a dataset holds and which features to compute over it.</summary>
    public static readonly IReadOnlyList<SettingFlag> DatasetFeatures = [Data, ReplayFormat, Columns, ReplayStartDate, Label, FeatureSet, Feature, LabelDelay, Inputs];
}
