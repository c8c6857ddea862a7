using System.CommandLine;
using Vigil.Cli.Alerts;
using Vigil.Cli.Configuration;
using Vigil.Cli.Demo;
using Vigil.Cli.Services;
using Vigil.Cli.Sources;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil replay FILE</c>: a dataset streamed in event-time order through detection, or into Kafka.</summary>
public static class ReplayCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("replay", """
            Stream a dataset file (CSV, or CSV.gz) in event-time order into the queueing.transactions topic.

            Formats are told from the header: Vigil's and the simulator's (vigil generate --out), the Fraud Detection
            Handbook's (TX_DATETIME, TX_AMOUNT, …), the ULB credit-card dataset (Time, V1..V28, Amount, Class; Time
            counts seconds from --start-date) and IEEE-CIS (TransactionID, TransactionDT, TransactionAmt, isFraud; with
            --identities FILE for the identities, joined by TransactionID). --columns maps any other CSV. Every column
            travels in the record (V1..V28 for models); the label column goes to queueing.labels after --label-delay,
            never into the transaction. Rows that cannot be transactions go to deadletter.transactions with their file
            and line, and the summary counts them.

            Without --kafka the replay runs through the embedded pipeline, with live quality when the file has labels
            (as vigil demo does; --kafka mock on the mock cluster). With --kafka BROKERS it only produces to the
            cluster: run vigil detect there to decide. --value-format avro writes the transactions as Avro: Vigil's
            schema with the file's other numeric columns as optional doubles, registered in --schema-registry.
            """);
        var file = new Argument<string>("FILE") { Description = "The dataset to replay" };
        var flags = new CommandFlags(command,
            [
                SettingFlag.ReplayFormat, SettingFlag.Columns, SettingFlag.Identities, SettingFlag.JoinWindow, SettingFlag.ReplayStartDate, SettingFlag.ReplayRate, SettingFlag.Speed,
                SettingFlag.ReplayCount, SettingFlag.Duration, SettingFlag.LabelDelay, .. SettingFlag.Features, SettingFlag.DetectModel, .. SettingFlag.Onnx, SettingFlag.ShadowModel, .. SettingFlag.Retraining, SettingFlag.Rules, .. SettingFlag.AlertSinks, SettingFlag.Report, SettingFlag.Out, SettingFlag.DetectThreshold,
                SettingFlag.Partitions, SettingFlag.Port, SettingFlag.Host, SettingFlag.AllowedHosts, SettingFlag.KafkaOrMock, SettingFlag.Group, SettingFlag.MetricsPort, SettingFlag.MetricsHost, .. SettingFlag.ValueFormats, .. SettingFlag.Logging,
            ],
            dashboardSwitch: true,
            kafkaConfig: true,
            argument: (file, "Replay:Path"),
            web: true);
        flags.SetAction(command, context, async (settings, configuration) =>
        {
            var valueFormat = ValueFormatSettings.Read(configuration);
            if (valueFormat.IsAvro && settings.Kafka is not { IsMock: false })
            {
                throw new UsageException("--value-format avro is for a Kafka cluster's topics (--kafka BROKERS)");
            }

            using var run = RunSource.Replay(settings);
            return settings.Kafka is { IsMock: false } kafka
                ? await new ProduceRunner(settings, kafka, context.Console, context.Logs(settings.Logs)) { ValueFormat = valueFormat }.RunAsync("Vigil replay", run, context.Stop)
                : await new DemoRunner(settings, "Vigil replay", context.Console, context.Live, context.ReportLine)
                {
                    Alerts = AlertConfiguration.Read(configuration, console: false),
                    Operations = OperationsPort.Read(configuration),
                }.RunAsync(run, context.Stop);
        });
        return command;
    }
}
