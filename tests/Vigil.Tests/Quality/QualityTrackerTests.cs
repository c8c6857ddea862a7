using Vigil.Labels;
using Vigil.Quality;

namespace Vigil.Tests.Quality;

public sealed class QualityTrackerTests
{
    [Fact]
    public void Confusion_matrix_ratios_match_a_hand_computed_case()
    {
        // 8 frauds, 6 of them flagged; 92 genuine, 2 of them flagged.
        var matrix = new ConfusionMatrix(TruePositives: 6, FalsePositives: 2, TrueNegatives: 90, FalseNegatives: 2);

        Assert.Equal(100, matrix.Total);
        Assert.Equal(0.75, matrix.Precision, 12);
        Assert.Equal(0.75, matrix.Recall, 12);
        Assert.Equal(0.75, matrix.F1, 12);
        Assert.Equal(0.96, matrix.Accuracy, 12);
        Assert.Equal(2.0 / 92, matrix.FalsePositiveRate, 12);
    }

    [Fact]
    public void Confusion_matrix_ratios_are_undefined_when_there_is_nothing_to_divide()
    {
        var nothingFlagged = new ConfusionMatrix(0, 0, 10, 0);

        Assert.True(double.IsNaN(nothingFlagged.Precision));
        Assert.True(double.IsNaN(nothingFlagged.Recall));
        Assert.True(double.IsNaN(nothingFlagged.F1));
        Assert.Equal(1, nothingFlagged.Accuracy);
    }

    [Fact]
    public void Decisions_and_labels_meet_whichever_comes_first()
    {
        var tracker = new QualityTracker();
        tracker.Decided(1, flagged: true);
        tracker.Labelled(new Label(1, IsFraud: true, Amount: 100, Scenario: 2));
        tracker.Labelled(new Label(2, IsFraud: false, Amount: 30, Scenario: 0));
        tracker.Decided(2, flagged: true);
        tracker.Decided(3, flagged: false);
        tracker.Labelled(new Label(3, IsFraud: true, Amount: 250, Scenario: 1));
        tracker.Decided(4, flagged: false);
        tracker.Labelled(new Label(4, IsFraud: false, Amount: 10, Scenario: 0));
        tracker.Decided(5, flagged: false);
        tracker.Labelled(new Label(6, IsFraud: true, Amount: 1, Scenario: 3));

        var q = tracker.Snapshot();
        Assert.Equal(new ConfusionMatrix(TruePositives: 1, FalsePositives: 1, TrueNegatives: 1, FalseNegatives: 1), q.Matrix);
        Assert.Equal(5, q.Decided);
        Assert.Equal(2, q.Flagged);
        Assert.Equal(0.4, q.AlertRate, 12);
        Assert.Equal(100, q.FraudAmountCaught);
        Assert.Equal(250, q.FraudAmountMissed);
        Assert.Equal(30, q.GenuineAmountFlagged);
        Assert.Equal(1, q.AwaitingLabel);
        Assert.Equal(1, q.AwaitingDecision);
        Assert.Equal([new ScenarioQuality(1, 1, 0), new ScenarioQuality(2, 1, 1)], q.Scenarios);
    }

    [Fact]
    public void A_second_decision_or_label_for_one_transaction_is_counted_once_as_a_duplicate()
    {
        var tracker = new QualityTracker();
        tracker.Decided(7, flagged: true);
        tracker.Decided(7, flagged: true);
        tracker.Labelled(new Label(8, IsFraud: true, Amount: 1, Scenario: 0));
        tracker.Labelled(new Label(8, IsFraud: true, Amount: 1, Scenario: 0));
        tracker.Labelled(new Label(7, IsFraud: true, Amount: 5, Scenario: 0));

        var q = tracker.Snapshot();
        Assert.Equal(2, q.Duplicates);
        Assert.Equal(1, q.Matrix.TruePositives);
        Assert.Equal(0, q.AwaitingLabel);
        Assert.Equal(1, q.AwaitingDecision);
    }

    [Fact]
    public void What_waits_longer_than_the_bound_expires_and_is_counted_never_dropped_silently()
    {
        var tracker = new QualityTracker(maxPending: 3);
        tracker.Decided(1, flagged: false);
        tracker.Labelled(new Label(2, IsFraud: false, Amount: 0, Scenario: 0));
        tracker.Decided(3, flagged: false);
        tracker.Labelled(new Label(3, IsFraud: false, Amount: 0, Scenario: 0));
        tracker.Decided(4, flagged: false);
        tracker.Decided(5, flagged: false);

        // Entries arrived for keys 1, 2, 3, 4, 5: 1 and 2 are more than 3 entries old; 3 was matched in time.
        tracker.Labelled(new Label(1, IsFraud: true, Amount: 9, Scenario: 0));

        var q = tracker.Snapshot();
        Assert.Equal(1, q.ExpiredDecisions);
        Assert.Equal(1, q.ExpiredLabels);
        Assert.Equal(1, q.Labelled);
        Assert.Equal(2, q.AwaitingLabel);
        Assert.Equal(1, q.AwaitingDecision);
    }

    [Fact]
    public void Memory_stays_bounded_when_labels_never_come()
    {
        var tracker = new QualityTracker(maxPending: 1000);
        for (var i = 0; i < 100_000; i++)
        {
            tracker.Decided(i, flagged: i % 10 == 0);
        }

        var q = tracker.Snapshot();
        Assert.Equal(1000, q.AwaitingLabel);
        Assert.Equal(99_000, q.ExpiredDecisions);
        Assert.Equal(0.1, q.AlertRate, 12);
    }

    [Fact]
    public void Decisions_without_an_id_count_in_the_alert_rate_only()
    {
        var tracker = new QualityTracker();
        tracker.DecidedWithoutId(flagged: true);
        tracker.DecidedWithoutId(flagged: false);

        var q = tracker.Snapshot();
        Assert.Equal(2, q.DecisionsWithoutId);
        Assert.Equal(0.5, q.AlertRate);
        Assert.Equal(0, q.Labelled);
    }
}
