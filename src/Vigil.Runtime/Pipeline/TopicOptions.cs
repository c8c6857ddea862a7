namespace Vigil.Runtime.Pipeline;

/// <summary>The names of Vigil's topics (configuration section <c>Topics</c>), the seed's names by default.</summary>
public sealed class TopicOptions
{
    public string Transactions { get; set; } = "queueing.transactions";

    public string Legit { get; set; } = "streaming.transactions.legit";

    public string Fraud { get; set; } = "streaming.transactions.fraud";

    /// <summary>Records that could not be decided, with the reason and where they came from.</summary>
    public string DeadLetter { get; set; } = "deadletter.transactions";

    /// <summary>Ground truth (fraud or not) of earlier transactions, released after a delay, as fraud reports are.</summary>
    public string Labels { get; set; } = "queueing.labels";

    /// <summary>The second stream of a two-file dataset (IEEE-CIS identities), joined to transactions by id.</summary>
    public string Identities { get; set; } = "queueing.identities";

    /// <summary>Transactions with their features, between the feature stage and the detectors.</summary>
    public string Featured { get; set; } = "vigil.transactions.featured";

    /// <summary>The control topic of rule sets: each message a whole rules document (<c>vigil rules publish</c>).</summary>
    public string Rules { get; set; } = "vigil.rules";

    /// <summary>
    /// The feature service's state, with the input offsets it covers (<c>vigil features --state-topic</c>), so that a
    /// service started on another machine restores it: a compacted topic (<c>cleanup.policy=compact</c>) on a real cluster.
    /// </summary>
    public string FeatureState { get; set; } = "vigil.features.state";

    /// <summary>
    /// Between the feature service's customer tasks and its terminal tasks (<c>vigil features --kafka --group</c>): each
    /// transaction with its customer's features, keyed by terminal, and the tasks' watermarks. As many partitions as the
    /// transactions topic.
    /// </summary>
    public string Repartition { get; set; } = "vigil.features.repartition";

    /// <summary>
    /// Where the Kafka services' instances report every 5 s which tasks they own, each one's lag and restore, for the
    /// dashboard (<c>vigil dashboard --kafka</c>): keyed by instance, so a compacted topic keeps each one's latest.
    /// </summary>
    public string Status { get; set; } = "vigil.status";

    /// <summary>Every topic Vigil uses, inputs first.</summary>
    public IReadOnlyList<string> All => [Transactions, Labels, Identities, Featured, Legit, Fraud, DeadLetter, Rules, FeatureState, Repartition, Status];
}
