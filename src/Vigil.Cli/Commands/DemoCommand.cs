using System.CommandLine;
using Vigil.Cli.Configuration;
using Vigil.Cli.Demo;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil demo</c>: its flags, each bound to one configuration setting.</summary>
public static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var config = new Option<string>("--config") { Description = $"JSON configuration file [default: ./{LayeredConfiguration.DefaultConfigFile} when present]", HelpName = "FILE" };
        var settings = new (Option Option, string Key)[]
        {
            (Text("--rate", "N|max", "Transactions per second the generator produces, or 'max' [env: TRANSACTIONS_PER_SECOND] [default: 1000]"), "Generator:Rate"),
            (Text("--duration", "SECONDS", "Stop after this many seconds [default: run until Ctrl+C]"), "Demo:Duration"),
            (Text("--count", "N", "Stop after generating this many transactions"), "Generator:Count"),
            (Text("--seed", "N", "Random seed; the same seed generates the same transactions [default: random, printed at the end]"), "Generator:Seed"),
            (Text("--out", "DIR", "Write each output topic to DIR/<topic>.jsonl"), "Output:Directory"),
            (Text("--threshold", "AMOUNT", "Transactions of this amount or more are fraud [default: 900]"), "Detector:AmountThreshold"),
            (Text("--partitions", "N", "Partitions per topic, one detector worker each [default: number of cores]"), "Pipeline:Partitions"),
            (Text("--port", "PORT", "Dashboard port; 0 picks a free one [default: 8080]"), "Dashboard:Port"),
            (Text("--host", "ADDRESS", "Dashboard address [default: 127.0.0.1]"), "Dashboard:Host"),
        };
        var noDashboard = new Option<bool>("--no-dashboard") { Description = "Do not start the web dashboard" };

        var command = new Command("demo", """
            Generate transactions, detect fraud and show it live, all in this process (no Kafka, no other service).

            The generator writes the seed tutorials' transactions to the queueing.transactions topic; the detector
            sends each one, enriched with its decision, to streaming.transactions.legit or streaming.transactions.fraud,
            and records it cannot read to deadletter.transactions with the reason. The dashboard shows them at
            http://127.0.0.1:8080. Ctrl+C stops cleanly: records in flight are decided and written before exit.

            Settings come from, highest first: flags, the seed's environment variables (TRANSACTIONS_PER_SECOND,
            TRANSACTIONS_TOPIC, LEGIT_TOPIC, FRAUD_TOPIC, DEAD_LETTER_TOPIC), VIGIL_<Section>__<Key> environment
            variables, the configuration file, defaults.
            """);
        command.Options.Add(config);
        foreach (var (option, _) in settings)
        {
            command.Options.Add(option);
        }

        command.Options.Add(noDashboard);
        command.SetAction(async (parsed, _) =>
        {
            var flags = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);
            foreach (var (option, key) in settings)
            {
                if (parsed.GetValue((Option<string>)option) is { } value)
                {
                    flags[key] = (option.Name, value);
                }
            }

            if (parsed.GetValue(noDashboard))
            {
                flags["Dashboard:Enabled"] = (noDashboard.Name, "false");
            }

            try
            {
                var configuration = LayeredConfiguration.Build(parsed.GetValue(config), context.Environment, flags);
                var demo = new DemoRunner(DemoSettings.Read(configuration), context.Console, context.Live);
                return await demo.RunAsync(context.Stop);
            }
            catch (UsageException e)
            {
                await context.Error.WriteLineAsync($"vigil: {e.Message}");
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    private static Option<string> Text(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName };
}
