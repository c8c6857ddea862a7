using System.CommandLine;
using Vigil.Cli.Configuration;
using Vigil.Cli.Services;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil features --data IN --out OUT</c>: the features the pipeline computes, over a dataset file.</summary>
public static class FeaturesCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new Command("features", """
            Compute features over a dataset file, with the same engine and definitions as the streaming pipeline, and
            write each row followed by its features (CSV; OUT.csv.gz compresses).

            Rows are read in event-time order (a file out of order is sorted). Customer windows cover (t − n, t] and hold
            the transaction itself; terminal windows end 7 days ago, (t − 7d − n, t − 7d], and their risk counts only the
            frauds whose label was released by t (--label-delay after their transaction, as on the stream). Windows are
            exact to the second.

            --feature-set handbook computes the Fraud Detection Handbook's 14 features under its own column names
            (TX_DURING_WEEKEND, CUSTOMER_ID_NB_TX_7DAY_WINDOW, TERMINAL_ID_RISK_30DAY_WINDOW, …); --feature declares more.
            Input formats are those of vigil replay: Vigil's, the handbook's, ULB, IEEE-CIS, or --columns.

            With --kafka BROKERS it runs as the feature stage in front of the detectors instead: it reads every partition
            of queueing.transactions and queueing.labels (and queueing.identities with --join-identities), computes the
            features in event time, and writes each transaction with them to vigil.transactions.featured, keyed by
            customer as before; run vigil detect --input vigil.transactions.featured on it. --checkpoint FILE keeps its
            state and offsets to resume from after a restart; --state-topic vigil.features.state keeps them in Kafka
            instead, so that the service started again on another machine (after losing this one) resumes exactly.

            With --group ID, instances started with the same ID share the work: one task per partition of
            queueing.transactions computes its customers' features and sends each transaction, through the internal topic
            vigil.features.repartition, to the task that owns its terminal. Each task's state is in the state topic; when
            an instance stops, its tasks move to the others with their state, and when one dies (kill -9) they are
            restored from their last snapshots: nothing is lost, nothing counts twice in a window, and featured records
            written again carry the header vigil.replayed: true.
            """);
        var flags = new CommandFlags(command,
            [
                SettingFlag.Data, SettingFlag.FeaturesOut, SettingFlag.FeatureSet, SettingFlag.Feature, SettingFlag.LabelDelay,
                SettingFlag.ReplayFormat, SettingFlag.Columns, SettingFlag.ReplayStartDate,
                SettingFlag.Kafka, SettingFlag.JoinIdentities, SettingFlag.AllowedLateness, SettingFlag.IdleTimeout, SettingFlag.Checkpoint, SettingFlag.StateTopic, SettingFlag.FeatureGroup, SettingFlag.FeatureInstanceId,
                SettingFlag.JoinWindow, SettingFlag.Duration, SettingFlag.MetricsPort, SettingFlag.MetricsHost, .. SettingFlag.ValueFormats, .. SettingFlag.Logging,
            ],
            kafkaConfig: true,
            web: true);
        flags.SetAction(command, context, (settings, configuration) => settings.Kafka switch
        {
            null when ValueFormatSettings.Read(configuration).IsAvro => throw new UsageException("--value-format avro is for the topics of a Kafka cluster (--kafka BROKERS)"),
            null => new FeaturesRunner(settings, context.Console, context.Live).RunAsync(context.Stop),
            { IsMock: true } => throw new UsageException("--kafka mock works with vigil demo only; for vigil features, start one with 'vigil kafka mock' and pass its address"),
            var kafka when new SettingReader(configuration).OptionalText("Features:Group") is { } group => new FeatureServiceRunner(settings, kafka, context.Console, context.Logs(settings.Logs)) { Operations = OperationsPort.Read(configuration), ValueFormat = ValueFormatSettings.Read(configuration) }
                .RunGroupAsync(group, GroupStateTopic(settings, new SettingReader(configuration)), context.Stop),
            var kafka => new FeatureServiceRunner(settings, kafka, context.Console, context.Logs(settings.Logs)) { Operations = OperationsPort.Read(configuration), ValueFormat = ValueFormatSettings.Read(configuration) }
                .RunAsync(
                    new SettingReader(configuration).Flag("Features:JoinIdentities", false),
                    StateTopic(settings, new SettingReader(configuration).OptionalText("Features:StateTopic")),
                    context.Stop),
        });
        return command;
    }

    private static string? StateTopic(VigilSettings settings, string? topic) =>
        topic is not null && settings.Features.Checkpoint is not null
            ? throw new UsageException("--checkpoint FILE and --state-topic TOPIC both keep the feature state: give one")
            : topic;

    /// <summary>Where a group's tasks keep their state: always a topic (the default one unless named).</summary>
    private static string GroupStateTopic(VigilSettings settings, SettingReader read) =>
        settings.Features.Checkpoint is not null
            ? throw new UsageException("--checkpoint FILE keeps one service's state on one machine: in a group, each task's state is in Kafka (--state-topic)")
            : read.Flag("Features:JoinIdentities", false)
                ? throw new UsageException("--join-identities runs in the single feature service only, not yet with --group")
                : read.OptionalText("Features:StateTopic") ?? settings.Topics.FeatureState;
}
