using System.CommandLine;
using Vigil.Cli.Rules;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil rules check</c>: rules files, validated and tried on a dataset before they go live.</summary>
public static class RulesCommands
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var check = new Command("check", """
            Validate a rules file and, with --data, show what each rule would do on a dataset: its hits, the share of
            fraud among them and the share of all frauds it catches (when the file has labels), and what the enabled
            rules decide together.

            A rules file (YAML) lists rules, each with a name, an expression, an action (flag: fraud; review: legitimate
            but marked "review":true for an analyst; allow: legitimate whatever else says), a score added to the
            decision's score (default 1 to flag, 0.5 to review, 0 to allow) and enabled (default true); and named lists,
            inline or read from a file (one entry per line). An optional version names the rule set; decisions record
            it with 8 hex digits of the file's SHA-256.

            Expressions: amount, the text fields transaction_id, customer_id, terminal_id, source, target and currency,
            the pipeline's features (customer_nb_tx_1d, terminal_risk_7d, …), record.NAME for any other numeric field of
            the record; numbers, 'text', + - * / %, == != < <= > >=, and or not, [not] in [..] or a list, is [not] null,
            abs, min, max and coalesce. A comparison with a missing value (null) is unknown and never matches; not
            unknown is unknown. Example:

              version: 2026-11-22.1
              lists:
                blocklist: [C1001, C1002]
                trusted: { file: trusted-terminals.txt }
              rules:
                - name: large_amount
                  expression: amount >= 900
                - name: velocity
                  expression: customer_nb_tx_1d > 20 and amount > 3 * customer_avg_amount_30d
                  action: review
                - name: blocked
                  expression: customer_id in blocklist
                - name: trusted_terminal
                  expression: terminal_id in trusted
                  action: allow
            """);
        var file = new Argument<string>("RULES.yaml") { Description = "The rules file to check" };
        var flags = new CommandFlags(check, [.. SettingFlag.DatasetFeatures.Where(f => f != SettingFlag.Inputs)], argument: (file, "Detector:Rules"));
        flags.SetAction(check, context, (settings, configuration) => new RulesCheckRunner(settings, configuration, context.Console, context.Live).RunAsync(context.Stop));
        var publish = new Command("publish", """
            Check a rules file and publish it to the rules control topic (vigil.rules; --rules-topic), with its list
            files inline, so that every vigil detect following that topic (--rules-topic) swaps it in without a restart.
            A detector that cannot compile it (a feature its input lacks) logs why and keeps its rules.
            The rule set is signed (HMAC-SHA256 of its bytes, in the vigil-signature header) with the rules key from
            VIGIL_RULES_KEY or --rules-key-file; detectors with the same key take only what verifies, so writing to the
            topic is not enough to change what they decide (restrict writing with Kafka ACLs too: docs/SECURITY.md).
            """);
        var publishFlags = new CommandFlags(publish, [SettingFlag.Kafka, SettingFlag.RulesTopic, SettingFlag.RulesKeyFile, SettingFlag.FeatureSet, SettingFlag.Feature, .. SettingFlag.Logging],
            kafkaConfig: true, argument: (new Argument<string>("RULES.yaml") { Description = "The rules file to publish" }, "Detector:Rules"),
            switches: [SettingSwitch.UnsignedRules]);
        publishFlags.SetAction(publish, context, (settings, configuration) =>
            new RulesPublishRunner(settings, configuration, KafkaCommands.RequireKafka(settings, "rules publish"), context.Console, context.Logs(settings.Logs)).RunAsync(context.Stop));
        return new Command("rules", "Rules files: check one before it goes live, publish one to the detectors.") { check, publish };
    }
}
