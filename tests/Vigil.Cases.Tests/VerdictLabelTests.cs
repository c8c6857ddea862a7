using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Features;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;
using Vigil.Store;
using Vigil.Store.Cases;

namespace Vigil.Cases.Tests;

/// <summary>
/// An analyst's verdict is a label at once: the same simulation run twice, the second time with a case decided fraud
/// on day 4, and the card's fraud risk (a feature that counts the labels as they come) compared transaction by transaction.
/// </summary>
public sealed class VerdictLabelTests : IDisposable
{
    private const long Day = 86_400_000;
    private static readonly TimeSpan LabelDelay = TimeSpan.FromDays(7);
    private static readonly FeatureSet Features = FeatureSet.Create(FeatureSet.NoneName, ["card_risk_30d = risk(customer, 30d)", "card_tx_30d = count(customer, 30d)"]);
    private static readonly SimulatorOptions Simulation = new() { Customers = 200, Terminals = 400, Days = 16, Seed = 11 };
    private static readonly long VerdictMs = Simulation.StartUnixMilliseconds + (4 * Day);

    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-verdicts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed record Seen(string Card, long TimeMs, double Risk, double Count);

    private sealed record Run(Dictionary<long, Seen> Decided, Dictionary<long, bool> Reported, int VerdictLabels, CaseSummary? Decision, IReadOnlyList<CaseAlert> Alerts, Quality.ConfusionMatrix Quality);

    [Fact]
    public async Task A_fraud_verdict_counts_in_the_card_s_risk_at_once_and_its_report_does_not_count_it_again()
    {
        var before = await RunAsync("without", chooser: null);
        var after = await RunAsync("with", cases => cases.First(c => Suits(c, before)));

        Assert.Equal(before.Decided.Count, after.Decided.Count);
        var decision = after.Decision!;
        Assert.Equal((CaseStatus.Fraud, "alice"), (decision.Status, decision.DecidedBy));
        Assert.Equal(after.Alerts.Count, after.VerdictLabels);
        var firstReport = after.Alerts.Min(a => a.AtMs) + (long)LabelDelay.TotalMilliseconds;
        var lastReport = after.Alerts.Max(a => a.AtMs) + (long)LabelDelay.TotalMilliseconds;
        var card = before.Decided.Where(d => d.Value.Card == decision.Card).OrderBy(d => d.Value.TimeMs).ToList();

        // Between the verdict and the first report, the card's risk is higher than without it: the analyst's labels count at once.
        var early = card.Where(d => d.Value.TimeMs > VerdictMs && d.Value.TimeMs < firstReport).ToList();
        Assert.NotEmpty(early);
        Assert.All(early, d => Assert.True(after.Decided[d.Key].Risk > d.Value.Risk, $"transaction {d.Key}: risk {after.Decided[d.Key].Risk} with the verdict, {d.Value.Risk} without"));

        // Once every report has come, the risk is what the reports alone give: a fraud is never counted twice.
        var late = card.Where(d => d.Value.TimeMs > lastReport).ToList();
        Assert.NotEmpty(late);
        Assert.All(late, d => Assert.Equal(d.Value.Risk, after.Decided[d.Key].Risk, 12));

        // No other card's features moved, and nothing else was decided differently.
        Assert.All(before.Decided.Where(d => d.Value.Card != decision.Card), d => Assert.Equal(d.Value, after.Decided[d.Key]));
        Assert.Equal(before.Reported, after.Reported); // the reports are the same; the verdicts are labels of their own
        Assert.Equal(before.Quality, after.Quality); // quality is measured against the reports alone
    }

    /// <summary>A case whose alerts were all fraud (the reports say so), on a card that pays again after the reports came.</summary>
    private static bool Suits((CaseSummary Case, IReadOnlyList<CaseAlert> Alerts) candidate, Run before) =>
        candidate.Alerts.All(a => before.Reported.GetValueOrDefault(long.Parse(a.TransactionId!, CultureInfo.InvariantCulture)))
        && before.Decided.Values.Any(d => d.Card == candidate.Case.Card && d.TimeMs > candidate.Alerts.Max(a => a.AtMs) + (long)LabelDelay.TotalMilliseconds)
        && before.Decided.Values.Any(d => d.Card == candidate.Case.Card && d.TimeMs > VerdictMs && d.TimeMs < candidate.Alerts.Min(a => a.AtMs) + (long)LabelDelay.TotalMilliseconds);

    private async Task<Run> RunAsync(string name, Func<IEnumerable<(CaseSummary Case, IReadOnlyList<CaseAlert> Alerts)>, (CaseSummary Case, IReadOnlyList<CaseAlert> Alerts)>? chooser)
    {
        var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(220), Features, new Runtime.Features.FeatureStageOptions());
        using var database = VigilDatabase.Open(Path.Combine(_directory, name));
        var store = new CaseStore(database, name);
        var intake = new CaseIntake(pipeline.Fraud, store, NullLogger.Instance);
        var quality = new Runtime.Quality.QualityMonitor(pipeline.Legit, pipeline.Fraud, pipeline.Labels);
        var decided = new Dictionary<long, Seen>();
        var reported = new Dictionary<long, bool>();
        var verdictLabels = 0;
        var reading = new List<Task> { intake.RunAsync(), quality.RunAsync() };
        reading.AddRange(pipeline.Legit.Subscribe("test").Concat(pipeline.Fraud.Subscribe("test")).Select(s => Task.Run(() => s.ReadAllAsync(batch =>
        {
            for (var i = 0; i < batch.Count; i++)
            {
                using var record = JsonDocument.Parse(batch.ValueMemory(i));
                var root = record.RootElement;
                var features = root.GetProperty("features");
                lock (decided)
                {
                    decided.Add(root.GetProperty("transaction_id").GetInt64(), new Seen(
                        root.GetProperty("customer_id").ToString(), DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(),
                        features.GetProperty("card_risk_30d").GetDouble(), features.GetProperty("card_tx_30d").GetDouble()));
                }
            }
        }))));
        reading.AddRange(pipeline.Labels.Subscribe("test").Select(s => Task.Run(() => s.ReadAllAsync(batch =>
        {
            for (var i = 0; i < batch.Count; i++)
            {
                using var record = JsonDocument.Parse(batch.ValueMemory(i));
                var root = record.RootElement;
                lock (reported)
                {
                    if (root.TryGetProperty("analyst", out _))
                    {
                        verdictLabels++;
                    }
                    else
                    {
                        reported.Add(root.GetProperty("transaction_id").GetInt64(), root.GetProperty("fraud").GetInt32() == 1);
                    }
                }
            }
        }))));
        pipeline.Start();
        var source = new SimulatorSource(new TransactionSimulator(Simulation));
        var outputs = new SourceOutputs(pipeline.Transactions.CreateProducer(), pipeline.Labels.CreateProducer(), LabelDelay);
        var barrier = new OnceAt(VerdictMs);
        var publisher = new SourcePublisher(source, outputs, SourcePacing.Unlimited) { Barrier = barrier };
        var review = new CaseReview(store) { Verdicts = new LabelVerdicts(publisher) };
        CaseSummary? decision = null;
        IReadOnlyList<CaseAlert> alerts = [];
        barrier.Reached = async () =>
        {
            // Every record published so far decided and every alert filed: then an analyst decides a case.
            for (var i = 0; i < 3000 && (pipeline.Status().Decided < publisher.Produced || intake.Filed < pipeline.Status().Fraud); i++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(publisher.Produced, pipeline.Status().Decided);
            if (chooser is not null)
            {
                var open = store.Queue(new CaseQuery(Limit: 500)).Cases.Select(c => (c, (IReadOnlyList<CaseAlert>)store.Find(c.Id)!.Alerts));
                var chosen = chooser(open);
                alerts = chosen.Item2;
                decision = review.Decide(chosen.Item1.Id, fraud: true, "confirmed with the card holder", "alice");
            }
        };

        await publisher.RunAsync(CancellationToken.None);
        await pipeline.DrainAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(reading).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(barrier.Passed, "the run never reached day 4");
        Assert.Equal(reported.Count, quality.Snapshot().Matrix.Total);
        return new Run(decided, reported, verdictLabels, decision, alerts, quality.Snapshot().Matrix);
    }

    /// <summary>Stops the source once, at <paramref name="atMs"/> of event time, and runs <see cref="Reached"/> there.</summary>
    private sealed class OnceAt(long atMs) : IEventTimeBarrier
    {
        public Func<Task> Reached { get; set; } = () => Task.CompletedTask;

        public bool Passed { get; private set; }

        public long NextMs => Passed ? long.MaxValue : atMs;

        public async ValueTask ReachedAsync(long eventTimeMs, long labelsReleased, CancellationToken cancel)
        {
            await Reached();
            Passed = true;
        }
    }
}
