namespace Vigil.Cli.Commands;

/// <summary>What a command's help shows besides its options: one line in the list of commands, and examples at the end.</summary>
public static class CommandHelp
{
    private static readonly Dictionary<string, string> Summaries = new(StringComparer.Ordinal)
    {
        ["demo"] = "Simulate, detect and show fraud live, all in this process (start here)",
        ["replay"] = "Stream a dataset file (CSV) through detection, with quality against its labels",
        ["features"] = "Compute the pipeline's features over a dataset file, or as a stage on Kafka",
        ["train"] = "Train a fraud model (gradient-boosted trees, logistic regression, isolation forest) on a dataset",
        ["evaluate"] = "Measure a model: AUC ROC, average precision, Card Precision@100, precision and recall",
        ["serve"] = "Serve a model over HTTP: MLflow's /invocations and Vigil's /v1/score",
        ["rules"] = "Check a rules file, or publish it to the detectors",
        ["rules check"] = "Validate a rules file, and show what each rule would do on a dataset",
        ["rules publish"] = "Publish a rules file to the detectors on Kafka, swapped in without a restart",
        ["generate"] = "Generate transactions into a dataset file or a Kafka cluster",
        ["detect"] = "Decide the transactions of a Kafka topic, as a member of the detectors' consumer group",
        ["alert"] = "Send an alert for every fraud decision on Kafka: Slack, a webhook, the console",
        ["dashboard"] = "Serve the live dashboard over a Kafka cluster's output topics",
        ["kafka"] = "Kafka tools: a mock cluster to try Vigil on",
        ["kafka mock"] = "Run librdkafka's mock Kafka cluster in this process, with Vigil's topics",
    };

    private static readonly Dictionary<string, (string Line, string Meaning)[]> Examples = new(StringComparer.Ordinal)
    {
        ["demo"] =
        [
            ("vigil demo", "simulate, detect and show it live at http://127.0.0.1:8080; Ctrl+C stops"),
            ("vigil demo --duration 10 --out out/", "10 seconds, then every topic in out/<topic>.jsonl"),
            ("vigil demo --rate max --no-dashboard --report q.json", "all 183 days as fast as it goes; quality in q.json"),
            ("vigil demo --model gbt.json", "decide with a trained model as well as the rules (vigil train)"),
            ("vigil demo --profile seed", "the seed tutorials' random transactions instead of the simulator"),
            ("vigil demo --kafka mock", "the same pipeline on a Kafka mock cluster in this process"),
        ],
        ["replay"] =
        [
            ("vigil replay data.csv --rate max --report q.json", "a dataset through detection, with quality against its labels"),
            ("vigil replay creditcard.csv --model lr.json", "the ULB credit-card file, scored by a model"),
            ("vigil replay mine.csv --columns amount=value,timestamp=ts", "a file of your own, its columns mapped"),
            ("vigil replay data.csv --kafka $KAFKA_BROKER_URL", "into a Kafka cluster's topics instead"),
        ],
        ["features"] =
        [
            ("vigil features --data tx.csv --out features.csv", "the features of every transaction of a file"),
            ("vigil features --kafka $KAFKA_BROKER_URL", "the feature stage on Kafka, in front of vigil detect"),
        ],
        ["train"] =
        [
            ("vigil generate --out history.csv --days 60", "first, 60 simulated days with ground truth"),
            ("vigil train --data history.csv --out gbt.json", "gradient-boosted trees on them"),
            ("vigil train --data creditcard.csv --model lr --out lr.json", "logistic regression on the ULB file"),
        ],
        ["evaluate"] =
        [
            ("vigil evaluate --data raw.csv.gz --protocol handbook --report r.html", "the Fraud Detection Handbook's protocol"),
            ("vigil evaluate --data test.csv --model gbt.json", "a trained model on a file"),
        ],
        ["serve"] =
        [
            ("vigil serve --model gbt.json", "POST /v1/score and /invocations on http://127.0.0.1:5000"),
            ("vigil serve --model gbt.json --rules rules.yaml --port 8000", "the rules before the model, as the stream decides"),
        ],
        ["generate"] =
        [
            ("vigil generate --out data/tx.csv", "the simulator's 183 days, with ground truth, to a file"),
            ("vigil generate --kafka $KAFKA_BROKER_URL --rate 1000", "1,000 transactions a second into Kafka, labels a week later"),
        ],
        ["detect"] =
        [
            ("vigil detect --kafka $KAFKA_BROKER_URL --threshold 220", "the simulator's transactions, by its first fraud scenario's bound"),
            ("vigil detect --input vigil.transactions.featured --model gbt.json", "behind vigil features, with a model"),
            ("vigil detect --rules rules.yaml --instance-id detector-1", "analysts' rules; restarted, it takes its partitions back at once"),
        ],
        ["alert"] =
        [
            ("vigil alert --slack-webhook https://hooks.slack.com/…", "each fraud to Slack, once, within its rate limits"),
            ("vigil alert --webhook http://127.0.0.1:9000/hook --webhook-secret s3cret", "signed JSON to a webhook"),
        ],
        ["dashboard"] =
        [
            ("vigil dashboard --kafka $KAFKA_BROKER_URL", "the live dashboard over a cluster's output topics"),
        ],
        ["kafka mock"] =
        [
            ("vigil kafka mock --partitions 3", "a Kafka cluster to try things on; prints its address"),
        ],
        ["rules check"] =
        [
            ("vigil rules check rules.yaml", "is the file valid? each rule and what it reads"),
            ("vigil rules check rules.yaml --data tx.csv", "what each rule would do on a dataset: hits, precision, money"),
        ],
        ["rules publish"] =
        [
            ("vigil rules publish rules.yaml --kafka $KAFKA_BROKER_URL", "every detector that follows vigil.rules swaps it in"),
        ],
    };

    /// <summary>The examples of a command by its words after <c>vigil</c> ("kafka mock"); empty for none.</summary>
    public static IReadOnlyList<(string Line, string Meaning)> ExamplesFor(string command) =>
        Examples.TryGetValue(command, out var examples) ? examples : [];

    /// <summary>A command's line in the list of commands; null when it has none of its own.</summary>
    public static string? SummaryOf(string command) => Summaries.GetValueOrDefault(command);
}
