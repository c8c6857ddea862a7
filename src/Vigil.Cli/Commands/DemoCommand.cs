using System.CommandLine;
using Vigil.Cli.Alerts;
using Vigil.Cli.Demo;
using Vigil.Cli.Services;
using Vigil.Cli.Sources;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil demo</c>: generator, detector and dashboard in one process.</summary>
public static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("demo", """
            Generate transactions, detect fraud, measure how well and show it live, all in this process.

            The generator (by default the Fraud Detection Handbook's simulator: customers, terminals and three fraud
            scenarios, 183 days from 2018-04-01) writes transactions to the queueing.transactions topic, and their
            ground truth to queueing.labels a week of event time later (--label-delay), as fraud reports come. The
            detector sends each transaction, enriched with its decision, to streaming.transactions.legit or
            streaming.transactions.fraud, and records it cannot read to deadletter.transactions with the reason.
            Decisions are joined with the labels: precision, recall, F1 and the fraud money caught and missed show in
            the status, the summary, the dashboard (http://127.0.0.1:8080) and --report FILE. --profile seed
            generates the seed tutorials' random transactions instead (no labels). Ctrl+C stops cleanly: records in
            flight are decided and written before exit.
            By default everything runs embedded (no Kafka, no other service); --kafka runs it on a Kafka cluster,
            --kafka mock on librdkafka's mock cluster in this process (with the feature stage on the cluster; a
            shared cluster computes features only with --checkpoint).
            With --model (embedded), the dashboard's port also serves POST /v1/score (one transaction, decided as the stream
            decides it: the pipeline's live features and current rules, then the model), /invocations and /v1/model.

            Settings come from, highest first: flags, the seed's environment variables (TRANSACTIONS_PER_SECOND,
            KAFKA_BROKER_URL, TRANSACTIONS_TOPIC, LEGIT_TOPIC, FRAUD_TOPIC, DEAD_LETTER_TOPIC),
            VIGIL_<Section>__<Key> environment variables, the configuration file, defaults.
            """);
        var flags = new CommandFlags(command,
            [
                .. SettingFlag.Simulation, SettingFlag.Rate, SettingFlag.Speed, SettingFlag.Duration, SettingFlag.Count, SettingFlag.Seed,
                .. SettingFlag.Features, SettingFlag.DetectModel, .. SettingFlag.Onnx, SettingFlag.ShadowModel, .. SettingFlag.Retraining, SettingFlag.Rules, .. SettingFlag.AlertSinks, SettingFlag.Report, SettingFlag.Out, SettingFlag.Threshold, SettingFlag.Partitions, SettingFlag.Port, SettingFlag.Host, SettingFlag.AllowedHosts,
                SettingFlag.KafkaOrMock, SettingFlag.Group, SettingFlag.MetricsPort, SettingFlag.MetricsHost, .. SettingFlag.Logging,
            ],
            dashboardSwitch: true,
            kafkaConfig: true,
            web: true);
        flags.SetAction(command, context, (settings, configuration) =>
            new DemoRunner(settings, "Vigil demo", context.Console, context.Live, context.ReportLine)
            {
                Alerts = AlertConfiguration.Read(configuration, console: false),
                Operations = OperationsPort.Read(configuration),
            }.RunAsync(RunSource.Generated(settings), context.Stop));
        return command;
    }
}
