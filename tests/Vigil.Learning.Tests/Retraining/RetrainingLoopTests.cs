using Vigil.Detection;
using Vigil.Features;
using Vigil.Learning.Retraining;
using Vigil.Learning.Training;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Quality;
using Vigil.Runtime.Sinks;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;
using Vigil.Testing;

namespace Vigil.Learning.Tests.Retraining;

/// <summary>The loop on a real embedded pipeline over five simulated weeks: 1,500 customers, labels 7 days late.</summary>
public sealed class RetrainingLoopTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2018, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan LabelDelay = TimeSpan.FromDays(7);
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-retraining-").FullName;
    private readonly List<string> _log = [];

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static RetrainingOptions Options(GradientBoostingOptions? boosting = null) => new()
    {
        Every = TimeSpan.FromDays(7),
        Window = TimeSpan.FromDays(7),
        FirstAfter = TimeSpan.FromDays(2),
        MinFrauds = 20,
        Evaluation = TimeSpan.FromDays(3),
        MinEvaluationFrauds = 10,
        Training = new TrainingOptions(ModelKind.GradientBoostedTrees) { Boosting = boosting ?? new GradientBoostingOptions { Trees = 60, LearningRate = 0.2, EarlyStoppingRounds = 10 } },
    };

    /// <summary>Runs the simulation through a pipeline deciding with the amount rule and the loop's models; returns what the loop says and every model the pipeline was given.</summary>
    /// <param name="afterStop">Called after each of the loop's daily stops, with the stop's event time, while the source waits.</param>
    private async Task<(RetrainingStatus Status, List<DetectionModels?> Installed, EmbeddedPipeline Pipeline)> RunAsync(
        RetrainingOptions options, int days = 35, string? folder = null, Action<RetrainingLoop, long>? afterStop = null, List<DetectionModels?>? installed = null)
    {
        var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(220), FeatureSet.Vigil);
        var loop = new RetrainingLoop(options, FeatureSet.Vigil, new ModelFolder(folder ?? _directory), new ListLogger(_log));
        installed ??= [];
        pipeline.AttachTaps(loop.Taps);
        loop.Attach(pipeline.Labels, models =>
        {
            installed.Add(models);
            pipeline.Models = models;
        });
        var drains = new[] { pipeline.Legit, pipeline.Fraud, pipeline.DeadLetters }.Select(t => DiscardSink.Attach(t, "test")).ToList();
        pipeline.Start();
        var learning = loop.RunAsync();
        var source = new SimulatorSource(new TransactionSimulator(new SimulatorOptions { Customers = 1_500, Terminals = 3_000, Days = days, Seed = 7 }));
        var publisher = new SourcePublisher(
            source, new SourceOutputs(pipeline.Transactions.CreateProducer(), pipeline.Labels.CreateProducer(), LabelDelay), SourcePacing.Unlimited)
        {
            Barrier = afterStop is null ? loop : new AfterStop(loop, ms => afterStop(loop, ms)),
        };
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await publisher.RunAsync(limit.Token);
        await pipeline.DrainAsync().WaitAsync(limit.Token);
        await learning.WaitAsync(limit.Token);
        await Task.WhenAll(drains).WaitAsync(limit.Token);
        Assert.False(limit.IsCancellationRequested, "the run took over 3 minutes");
        return (loop.Status(), installed, pipeline);
    }

    private static long Day(int day) => Start.AddDays(day).ToUnixTimeMilliseconds();

    private sealed class AfterStop(RetrainingLoop loop, Action<long> then) : IEventTimeBarrier
    {
        public long NextMs => loop.NextMs;

        public async ValueTask ReachedAsync(long eventTimeMs, long labelsReleased, CancellationToken cancel)
        {
            await loop.ReachedAsync(eventTimeMs, labelsReleased, cancel);
            then(eventTimeMs);
        }
    }

    [Fact]
    public async Task The_first_model_comes_once_labels_have_matured_and_better_ones_are_promoted_after_their_verdict()
    {
        var (status, installed, pipeline) = await RunAsync(Options());

        // Labels of day 0 arrive on day 7; the first model waits until they span 2 days (the stop of day 9 or 10).
        var first = status.Models[0];
        Assert.InRange(first.TrainedAtMs, Day(9), Day(11));
        Assert.True(first.FromMs >= Day(0) && first.ToMs <= first.TrainedAtMs - (long)LabelDelay.TotalMilliseconds);
        Assert.InRange(status.Models.Count, 3, 4);
        foreach (var (model, next) in status.Models.Zip(status.Models.Skip(1)))
        {
            Assert.Equal(7, (next.TrainedAtMs - model.TrainedAtMs) / (double)TimeSpan.FromDays(1).TotalMilliseconds, 1);
            Assert.NotNull(model.Verdict);
            Assert.Equal(model.TrainedAtMs + (long)TimeSpan.FromDays(3).TotalMilliseconds, model.JudgedAtMs!.Value, (double)TimeSpan.FromHours(1).TotalMilliseconds);
        }

        // Every promotion beat the champion of its time by the margin, on labels that matured after the model's training.
        var promoted = status.Models.Where(m => m.Verdict is { Promoted: true }).ToList();
        Assert.NotEmpty(promoted);
        Assert.All(promoted, m => Assert.True(m.Verdict!.ChallengerF1 >= m.Verdict.ChampionF1 + 0.01));
        Assert.All(status.Models.Where(m => m.Verdict is { Promoted: false }), m => Assert.True(m.Verdict!.ChallengerF1 < m.Verdict.ChampionF1 + 0.01 || m.Verdict.Frauds < 10));
        Assert.Equal("rules", promoted[0].Verdict!.Champion);

        // The pipeline decides with the last promoted model; each model in shadow beside the champion before its verdict.
        var champion = status.Champion!;
        Assert.Equal(promoted[^1].Version, champion.Version);
        Assert.Equal(champion.Version, pipeline.Models!.Primary.Version);
        Assert.Contains(installed, m => m?.Shadow is not null);
        Assert.All(status.Models.Where(m => m.State == ModelState.Retired), m => Assert.NotNull(m.RetiredAtMs));

        // Every model is kept, and the list says what happened to it.
        var kept = ModelFolder.Read(Path.Combine(_directory, "models.json"));
        Assert.Equal(status.Models.Select(m => (m.Version, m.State)), kept.Select(m => (m.Version, m.State)));
        Assert.All(kept, m => Assert.Equal(m.Version, ModelJson.Deserialize(File.ReadAllText(m.Path!)).Version));
        Assert.Contains(_log, line => line.Contains($"model {promoted[0].Version} promoted over rules", StringComparison.Ordinal));

        // Measured on the way: labels matured for about half of the last 14 days' decisions, and a week is a week. (The
        // score does drift in a first month: terminal risks start at 0 and grow as labels come.)
        Assert.InRange(status.LabelMaturity!.Value, 0.4, 0.6);
        Assert.True(status.ScoreDrift >= 0);
        Assert.Equal(3, status.FeatureDrift.Count);
        Assert.DoesNotContain(status.FeatureDrift, d => d.Input is "tx_day_of_week" or "tx_during_weekend" && d.Index > 0.1);
        Assert.Equal(0, status.RowsDropped);
        Assert.Contains(status.History, p => promoted.Any(m => m.Version == p.Deciding));
        Assert.Equal("rules", status.History[0].Deciding);
    }

    [Fact]
    public async Task A_challenger_that_is_no_better_than_the_rules_never_decides()
    {
        // A threshold no score reaches: the model flags nothing the rules do not.
        var (status, installed, pipeline) = await RunAsync(Options(new GradientBoostingOptions { Trees = 20, Threshold = 1.5 }), days: 28);

        Assert.NotEmpty(status.Models);
        Assert.All(status.Models.Where(m => m.Verdict is not null), m =>
        {
            Assert.Equal(ModelState.Rejected, m.State);
            Assert.Equal(m.Verdict!.ChampionF1, m.Verdict.ChallengerF1);
        });
        Assert.Null(status.Champion);
        Assert.All(installed, Assert.Null);
        Assert.Null(pipeline.Models);
        Assert.All(status.History, p => Assert.Equal("rules", p.Deciding));
    }

    [Fact]
    public async Task Models_that_cannot_be_written_are_judged_and_decide_from_memory()
    {
        var file = Path.Combine(_directory, "a-file");
        await File.WriteAllTextAsync(file, "not a directory");

        var (status, _, pipeline) = await RunAsync(Options(), days: 21, folder: Path.Combine(file, "models"));

        Assert.NotEmpty(status.Models);
        Assert.All(status.Models, m => Assert.Null(m.Path));
        Assert.Equal(status.Champion?.Version, pipeline.Models?.Primary.Version);
        Assert.Contains(_log, line => line.StartsWith($"{status.Models[0].Version} could not be written: ", StringComparison.Ordinal));
        Assert.Contains(_log, line => line.StartsWith("the list of models could not be written: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_training_that_fails_leaves_the_rules_deciding_and_is_tried_again_the_next_day()
    {
        // A learning rate of 0 is refused by the trainer.
        var (status, installed, pipeline) = await RunAsync(Options(new GradientBoostingOptions { Trees = 10, LearningRate = 0 }), days: 14);

        Assert.Empty(status.Models);
        Assert.Empty(installed);
        Assert.Null(pipeline.Models);
        Assert.StartsWith("training model 1 failed (", status.State, StringComparison.Ordinal);
        Assert.InRange(_log.Count(line => line.StartsWith("training model 1 failed: ", StringComparison.Ordinal)), 3, 6);
    }

    [Fact]
    public async Task Broken_labels_are_read_past_so_that_a_stop_never_waits_for_them_and_the_good_ones_still_join()
    {
        var broker = new EmbeddedBroker(new BatchPool(64 * 1024));
        var labels = broker.CreateTopic("labels", 1);
        var loop = new RetrainingLoop(Options(), FeatureSet.Vigil, null, new ListLogger(_log), labelWait: TimeSpan.FromSeconds(30));
        loop.Attach(labels, _ => Assert.Fail("no model can be trained from two labels"));
        var producer = labels.CreateProducer();
        foreach (var (_, value, _) in BrokenRecords.All)
        {
            producer.Append("k"u8, value);
        }

        producer.Append("k"u8, """{"transaction_id":7,"fraud":1,"amount":250.5,"fraud_scenario":1}"""u8);
        await producer.FlushAsync();
        var reading = loop.RunAsync();

        // The stop waits until every label released so far was read: the broken ones count as read.
        await loop.ReachedAsync(Day(10), BrokenRecords.All.Count + 1, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromMinutes(1));
        labels.Complete();
        await reading.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.DoesNotContain(_log, line => line.Contains("labels released after waiting", StringComparison.Ordinal));
        Assert.Empty(loop.Status().Models);
        Assert.Equal(Day(11), loop.NextMs);
    }

    [Fact]
    public async Task Decisions_that_cannot_be_joined_to_a_label_are_counted_and_the_loop_says_why_it_waits()
    {
        var loop = new RetrainingLoop(Options(), FeatureSet.Vigil, null, new ListLogger(_log));
        var processor = new DetectionProcessor(new Detector(RuleSet.AmountThreshold(220)), new Vigil.Transactions.TransactionDecoder()) { Tap = loop.Taps() };
        Assert.Equal(Route.Legit, processor.Decide("""{"timestamp":"2018-04-01T00:00:00Z","customer_id":1,"amount":5}"""u8.ToArray(), "t", 0, 0, out _));
        Assert.Equal(Route.Legit, processor.Decide("""{"transaction_id":2,"customer_id":1,"amount":5}"""u8.ToArray(), "t", 0, 1, out _));

        await loop.ReachedAsync(Day(1), labelsReleased: 0, CancellationToken.None);

        Assert.Equal("rules decide alone; none of the 2 decisions so far has both a transaction_id and a timestamp, so no label can be joined to them", loop.Status().State);
        Assert.Equal(0, loop.Status().RowsHeld);
    }

    [Fact]
    public async Task A_model_promoted_by_hand_decides_at_once_and_an_earlier_one_can_be_put_back()
    {
        // The first challenger is promoted by hand the day it is trained, before its verdict (5 days of evaluation).
        RetrainingLoop? used = null;
        RetrainingLoop.Promotion? byHand = null;
        DetectionModels? deciding = null;
        var options = Options() with { Evaluation = TimeSpan.FromDays(5) };
        var installed = new List<DetectionModels?>();
        var (status, _, pipeline) = await RunAsync(options, days: 28, installed: installed, afterStop: (loop, _) =>
        {
            used = loop;
            if (byHand is null && loop.Status().Challenger is { } challenger)
            {
                Assert.Throws<KeyNotFoundException>(() => loop.Promote(challenger.Number + 1, "alice", null));
                byHand = loop.Promote(challenger.Number, "alice", "the week's frauds look caught");
                deciding = installed[^1];
                Assert.Throws<ModelConflictException>(() => loop.Promote(challenger.Number, "alice", null));
            }
        });

        Assert.NotNull(byHand);
        var first = byHand.Model;
        Assert.Equal((1, ModelState.Challenger, ModelState.Champion), (first.Number, byHand.Before, first.State));
        Assert.Null(byHand.Replaced); // the rules decided alone
        Assert.Equal(first.Version, deciding!.Primary.Version); // installed at once
        Assert.Null(deciding.Shadow);
        Assert.StartsWith("promoted by hand by alice (the week's frauds look caught); F1 ", first.Verdict!.Reason, StringComparison.Ordinal);
        Assert.True(first.Verdict.Promoted);
        Assert.Contains(_log, line => line == $"model {first.Version} promoted over rules by hand, by alice");

        // It was not judged again, and the quality history names it from its promotion on.
        var record = status.Models[0];
        Assert.Equal(first.JudgedAtMs, record.JudgedAtMs);
        Assert.Equal(first.Verdict.Reason, record.Verdict!.Reason);
        Assert.Contains(status.History, p => p.Deciding == first.Version && p.DayMs >= first.JudgedAtMs);
        Assert.DoesNotContain(status.History, p => p.Deciding == first.Version && p.DayMs < first.JudgedAtMs);

        // The second model was judged against it; whichever decides now, the other is put back by hand.
        var second = status.Models[1];
        Assert.Equal(first.Version, second.Verdict!.Champion);
        var now = status.Champion!;
        var other = status.Models.First(m => m.Number is 1 or 2 && m.Number != now.Number);
        Assert.NotNull(used);
        var rollback = used!.Promote(other.Number, "bob", null);

        Assert.Equal((other.Number, other.State, ModelState.Champion), (rollback.Model.Number, rollback.Before, rollback.Model.State));
        Assert.Equal((now.Number, ModelState.Retired), (rollback.Replaced!.Number, rollback.Replaced.State));
        Assert.NotNull(rollback.Replaced.RetiredAtMs);
        Assert.Equal(other.Version, pipeline.Models!.Primary.Version);
        Assert.Equal(other.Version, used.Status().Champion!.Version);
        Assert.Single(used.Status().Models, m => m.State == ModelState.Champion);
        Assert.StartsWith("promoted by hand by bob; F1 ", rollback.Model.Verdict!.Reason, StringComparison.Ordinal);
        Assert.Equal(rollback.Model.Number, ModelFolder.Read(Path.Combine(_directory, "models.json")).Single(m => m.State == ModelState.Champion).Number);
    }
}
