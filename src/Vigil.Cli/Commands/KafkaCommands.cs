using System.CommandLine;
using Vigil.Cli.Rules;
using Vigil.Cli.Alerts;
using Vigil.Cli.Configuration;
using Vigil.Cli.Logging;
using Vigil.Cli.Services;
using Vigil.Cli.Sources;
using Vigil.Kafka.Configuration;

namespace Vigil.Cli.Commands;

/// <summary>The commands that run Vigil as separate services on a Kafka cluster, and the mock cluster to try them on.</summary>
public static class KafkaCommands
{
    public static Command Generate(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("generate", """
            Generate transactions into a dataset file (--out FILE) or a Kafka cluster (--kafka BROKERS).

            By default the Fraud Detection Handbook's simulator: 5,000 customers and 10,000 terminals over 183 days from
            2018-04-01, with the handbook's three fraud scenarios, deterministic for a --seed. --out FILE.csv writes
            every transaction with its ground truth (FILE.csv.gz compresses; --format handbook uses the handbook's
            column names), with a progress bar. On Kafka, transactions go to queueing.transactions keyed by customer
            through an idempotent producer, and their labels to queueing.labels a week of event time later
            (--label-delay). --profile seed produces the seed tutorials' random transactions instead (Kafka only).
            --value-format avro writes the transactions as Avro with Vigil's schema, registered in --schema-registry.
            """);
        var flags = new CommandFlags(command,
            [
                SettingFlag.DatasetOut, SettingFlag.DatasetFormat, .. SettingFlag.Simulation, SettingFlag.Seed, SettingFlag.Count,
                SettingFlag.Kafka, SettingFlag.Rate, SettingFlag.Speed, SettingFlag.Duration, .. SettingFlag.ValueFormats, .. SettingFlag.Logging,
            ],
            kafkaConfig: true);
        flags.SetAction(command, context, (settings, configuration) =>
        {
            var valueFormat = ValueFormatSettings.Read(configuration);
            return settings.Dataset.Path switch
            {
                { } path when settings.Kafka is not null => throw new UsageException($"choose --out {path} or --kafka {settings.Kafka.BootstrapServers}, not both"),
                _ when valueFormat.IsAvro && settings.Kafka is null => throw new UsageException("--value-format avro is for Kafka topics (--kafka BROKERS); a dataset file is CSV"),
                { } path => new GenerateRunner(settings, context.Console, context.Live).WriteFileAsync(path, context.Stop),
                null => new ProduceRunner(settings, RequireKafka(settings, "generate", alternative: " (or --out FILE for a dataset file)"), context.Console, context.Logs(settings.Logs)) { ValueFormat = valueFormat }
                    .RunAsync("Vigil generate", RunSource.Generated(settings), context.Stop),
            };
        });
        return command;
    }

    public static Command Detect(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("detect", """
            Join the detectors' consumer group on Kafka: read queueing.transactions, decide every transaction and write
            it to streaming.transactions.legit, streaming.transactions.fraud or deadletter.transactions. Run several to
            share the partitions; when one stops, the others take its partitions over. At-least-once, no loss: an input
            offset is committed only after the brokers acknowledged its output. Ctrl+C or SIGTERM commits and leaves.
            Behind vigil features --kafka, decide its output instead: --input vigil.transactions.featured. --model scores
            with a trained model too (one that reads features needs that input); replacing its file swaps it live.
            --rules RULES.yaml decides with a rules file, swapped live when edited; --rules-topic vigil.rules also
            follows the rules control topic, where vigil rules publish puts new rule sets for every detector at once.
            Each decision records the version of the rule set that made it; an update that does not compile is logged
            and the running rules go on. Rule sets on the topic are taken only when signed with the rules key
            (VIGIL_RULES_KEY or --rules-key-file, shared with vigil rules publish); the others are logged and counted.
            """);
        var flags = new CommandFlags(command,
            [SettingFlag.Kafka, SettingFlag.DetectInput, SettingFlag.Group, SettingFlag.InstanceId, SettingFlag.DetectThreshold, SettingFlag.DetectModel, .. SettingFlag.Onnx, SettingFlag.ShadowModel, SettingFlag.Rules, SettingFlag.RulesTopic, SettingFlag.RulesKeyFile, SettingFlag.Duration, SettingFlag.MetricsPort, SettingFlag.MetricsHost, SettingFlag.OtlpEndpoint, SettingFlag.TraceSampleRatio, .. SettingFlag.ValueFormats, .. SettingFlag.Logging],
            kafkaConfig: true,
            web: true,
            switches: [SettingSwitch.UnsignedRules]);
        flags.SetAction(command, context, (settings, configuration) =>
        {
            var follow = configuration["Topics:Rules"] is not null;
            return new DetectRunner(settings, RequireKafka(settings, "detect"), context.Console, context.Live, context.ReportLine)
            {
                FollowRulesTopic = follow,
                RulesSignature = follow ? RulesSigning.Read(configuration, "vigil detect --rules-topic") : null,
                Operations = OperationsPort.Read(configuration),
                Tracing = TracingSettings.Read(configuration),
                ValueFormat = ValueFormatSettings.Read(configuration),
            }.RunAsync(context.Stop);
        });
        return command;
    }

    public static Command Alert(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("alert", """
            Read the fraud topic on Kafka (streaming.transactions.fraud, group vigil-alert) and send an alert for every
            fraud decision: amount, parties, score, the top reasons and a link to the dashboard.

            Slack: --slack-channel CHANNEL with a bot token in SLACK_API_TOKEN (chat.postMessage), or an incoming
            webhook with --slack-webhook URL or SLACK_WEBHOOK_URL. A generic webhook: --webhook URL gets JSON, signed
            with --webhook-secret (or WEBHOOK_SECRET) in X-Vigil-Signature: sha256=HMAC-SHA256(secret, timestamp.body),
            the timestamp in X-Vigil-Timestamp. The console prints each alert (--alert-console false to stop it).

            Each transaction is alerted once. Slack gets at most one message a second per channel: fraud arriving faster
            goes out as one digest, and HTTP 429 waits as long as Retry-After says. Failed sends are retried with
            backoff (5 tries); what still fails is logged and counted. Tokens and secrets are never printed. The same
            options work on vigil demo and vigil replay.
            """);
        var flags = new CommandFlags(command, [SettingFlag.Kafka, .. SettingFlag.AlertSinks, SettingFlag.DashboardUrl, SettingFlag.Duration, SettingFlag.MetricsPort, SettingFlag.MetricsHost, .. SettingFlag.ValueFormats, .. SettingFlag.Logging], kafkaConfig: true, web: true);
        flags.SetAction(command, context, (settings, configuration) =>
        {
            var alerts = AlertConfiguration.Read(configuration, console: true);
            if (!alerts.Any)
            {
                throw new UsageException("vigil alert has nowhere to send: give --slack-channel, --slack-webhook, --webhook, or --alert-console true");
            }

            return new AlertRunner(alerts, settings.Topics, RequireKafka(settings, "alert"), settings.Duration, context.Console, context.ReportLine, settings.Logs)
            {
                Operations = OperationsPort.Read(configuration),
                Security = settings.Dashboard.Security,
                ValueFormat = ValueFormatSettings.Read(configuration),
            }.RunAsync(context.Stop);
        });
        return command;
    }

    public static Command Dashboard(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("dashboard", "Serve the live dashboard over a Kafka cluster's legit and fraud topics until Ctrl+C.");
        var flags = new CommandFlags(command, [SettingFlag.Kafka, SettingFlag.Port, SettingFlag.Host, SettingFlag.AllowedHosts, .. SettingFlag.ValueFormats, .. SettingFlag.Logging], kafkaConfig: true, web: true);
        flags.SetAction(command, context, (settings, configuration) =>
            new DashboardRunner(settings, RequireKafka(settings, "dashboard"), context.Console, context.Logs(settings.Logs)) { ValueFormat = ValueFormatSettings.Read(configuration) }.RunAsync(context.Stop));
        return command;
    }

    public static Command Kafka(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mock = new Command("mock", """
            Start librdkafka's mock Kafka cluster in this process with Vigil's topics, print its address and keep it
            running until Ctrl+C, so that vigil generate, vigil detect, kcat or the seed's Python scripts can use it.
            Beside it, an in-memory schema registry on 127.0.0.1 (Confluent's REST API: register, fetch by id,
            versions, compatibility, BACKWARD by default) for --value-format avro; its URL is printed too.
            In memory only and old messages are trimmed: for trying out and tests, not production.
            """);
        var flags = new CommandFlags(mock, [SettingFlag.Brokers, SettingFlag.Partitions, SettingFlag.RegistryPort]);
        flags.SetAction(mock, context, (settings, configuration) =>
        {
            var read = new SettingReader(configuration);
            var brokers = read.WholeNumber("Mock:Brokers", 1, 1, 16);
            var registryPort = read.WholeNumber("Mock:RegistryPort", 0, 0, 65535);
            return new MockClusterRunner(settings, brokers, context.Console) { RegistryPort = registryPort }.RunAsync(context.Stop);
        });
        return new Command("kafka", "Kafka tools.") { mock };
    }

    internal static KafkaOptions RequireKafka(VigilSettings settings, string command, string alternative = "") =>
        settings.Kafka switch
        {
            null => throw new UsageException($"vigil {command} needs Kafka: pass --kafka BROKERS or set KAFKA_BROKER_URL (try one with 'vigil kafka mock'){alternative}"),
            { IsMock: true } => throw new UsageException($"--kafka mock works with vigil demo only; for vigil {command}, start one with 'vigil kafka mock' and pass its address"),
            var kafka => kafka,
        };
}
