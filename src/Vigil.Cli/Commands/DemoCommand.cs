using System.CommandLine;
using Vigil.Cli.Demo;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil demo</c>: generator, detector and dashboard in one process.</summary>
public static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("demo", """
            Generate transactions, detect fraud and show it live, all in this process.

            The generator writes the seed tutorials' transactions to the queueing.transactions topic; the detector
            sends each one, enriched with its decision, to streaming.transactions.legit or streaming.transactions.fraud,
            and records it cannot read to deadletter.transactions with the reason. The dashboard shows them at
            http://127.0.0.1:8080. Ctrl+C stops cleanly: records in flight are decided and written before exit.
            By default everything runs embedded (no Kafka, no other service); --kafka runs it on a Kafka cluster,
            --kafka mock on librdkafka's mock cluster in this process.

            Settings come from, highest first: flags, the seed's environment variables (TRANSACTIONS_PER_SECOND,
            KAFKA_BROKER_URL, TRANSACTIONS_TOPIC, LEGIT_TOPIC, FRAUD_TOPIC, DEAD_LETTER_TOPIC),
            VIGIL_<Section>__<Key> environment variables, the configuration file, defaults.
            """);
        var flags = new CommandFlags(command,
            [
                SettingFlag.Rate, SettingFlag.Duration, SettingFlag.Count, SettingFlag.Seed, SettingFlag.Out, SettingFlag.Threshold,
                SettingFlag.Partitions, SettingFlag.Port, SettingFlag.Host, SettingFlag.KafkaOrMock, SettingFlag.Group,
            ],
            dashboardSwitch: true,
            kafkaConfig: true);
        flags.SetAction(command, context, (settings, _) => new DemoRunner(settings, context.Console, context.Live, context.ReportLine).RunAsync(context.Stop));
        return command;
    }
}
