using Vigil.Learning.Training;

namespace Vigil.Learning.Tests;

/// <summary>Thresholds chosen by review capacity and by cost, checked against counting and against every candidate.</summary>
public sealed class ThresholdRuleTests
{
    private const long Day = 86_400_000;

    [Fact]
    public void Capacity_flags_at_most_the_alerts_a_day_over_the_days_the_rows_span()
    {
        // 10 days, 1,000 rows with distinct scores: 7 alerts a day is 70 alerts.
        var random = new Random(3);
        var scores = Enumerable.Range(0, 1000).Select(_ => random.NextDouble()).ToArray();
        var times = Enumerable.Range(0, 1000).Select(i => i * 10 * Day / 999).ToArray();

        var threshold = Thresholds.ForCapacity(scores, times, alertsPerDay: 7);

        Assert.Equal(70, scores.Count(s => s >= threshold));
    }

    [Fact]
    public void Capacity_never_splits_a_tie_and_a_capacity_of_nothing_or_everything_is_kept()
    {
        double[] scores = [0.9, 0.8, 0.8, 0.8, 0.1];
        long[] times = [0, 0, 0, 0, Day / 2]; // less than a day counts as one

        Assert.Equal(1, scores.Count(s => s >= Thresholds.ForCapacity(scores, times, 2))); // the three at 0.8 cannot all fit
        Assert.Equal(4, scores.Count(s => s >= Thresholds.ForCapacity(scores, times, 4)));
        Assert.Equal(0, scores.Count(s => s >= Thresholds.ForCapacity(scores, times, 0)));
        Assert.Equal(5, scores.Count(s => s >= Thresholds.ForCapacity(scores, times, 1e6)));
    }

    [Theory]
    [InlineData(100, 1)]
    [InlineData(5, 1)]
    [InlineData(1, 5)]
    [InlineData(0, 1)]
    [InlineData(250, 0.5)]
    public void Cost_chooses_the_threshold_no_other_candidate_beats(double missedFraud, double review)
    {
        var random = new Random(4);
        var labels = Enumerable.Range(0, 400).Select(_ => (byte)(random.Next(10) == 0 ? 1 : 0)).ToArray();
        var scores = labels.Select(l => Math.Round((l * 0.3) + (random.NextDouble() * 0.7), 2)).ToArray(); // ties on purpose
        double Cost(double t) => (review * scores.Count(s => s >= t)) + (missedFraud * labels.Where((l, i) => l == 1 && scores[i] < t).Count());

        var chosen = Thresholds.ForCost(scores, labels, missedFraud, review);

        var candidates = scores.Distinct().Append(Math.BitIncrement(scores.Max()));
        Assert.Equal(candidates.Min(Cost), Cost(chosen), 9);
    }

    [Fact]
    public void Trained_models_take_the_threshold_their_rule_chooses_and_their_settings_say_which()
    {
        // 200 rows an hour apart: about 8.3 days. Two alerts a day is 16 alerts at most, on rows half of which are fraud.
        var data = Rows.Xor(perCorner: 50, seed: 5);
        var capacity = new ThresholdRule.Capacity(AlertsPerDay: 2);
        var boosting = new GradientBoostingOptions { Trees = 20, ValidationFraction = 0, ThresholdRule = capacity };
        var logistic = new LogisticRegressionOptions { ThresholdRule = new ThresholdRule.Cost(MissedFraud: 0, Review: 1) };

        var trees = new GradientBoostingTrainer(boosting).Train(data);
        var linear = new LogisticRegressionTrainer(logistic).Train(data);

        var flagged = Scores.Of(trees, data).Count(s => s >= trees.Threshold);
        Assert.InRange(flagged, 1, 16);
        Assert.Equal(0, Scores.Of(linear, data).Count(s => s >= linear.Threshold)); // a missed fraud costs nothing: flag none
        Assert.Equal("at most 2 alerts a day", boosting.ThresholdChoice);
        Assert.Contains("\"threshold_choice\":\"at most 2 alerts a day\"", System.Text.Json.JsonSerializer.Serialize(boosting, ParameterJson.Options), StringComparison.Ordinal);
        Assert.DoesNotContain("threshold_rule", System.Text.Json.JsonSerializer.Serialize(boosting, ParameterJson.Options), StringComparison.Ordinal);
    }
}
