using Vigil.Learning.Evaluation;

namespace Vigil.Learning.Tests;

public sealed class MetricsTests
{
    [Fact]
    public void Auc_counts_each_fraud_above_a_legitimate_row_and_ties_as_half()
    {
        // Pairs (fraud, legit): 0.8 beats 0.1, 0.4 and ties 0.8 → 2.5 of 3; 0.4 beats 0.1 and ties 0.4 → 1.5 of 3. AUC = 4/6.
        double[] scores = [0.8, 0.4, 0.1, 0.4, 0.8];
        byte[] labels = [1, 1, 0, 0, 0];

        Assert.Equal(4.0 / 6, RankingMetrics.RocAuc(scores, labels), 12);
        Assert.True(double.IsNaN(RankingMetrics.RocAuc([0.1, 0.2], [0, 0])));
    }

    [Fact]
    public void Each_fraud_scenario_is_ranked_against_every_legitimate_row()
    {
        // Legitimate rows score 0.2, 0.5 and 0.6. Scenario 1: 0.9 and 0.7 beat all three → AUC 1, both at or above 0.6.
        // Scenario 2: 0.5 beats 0.2 and ties 0.5 (1.5 of 3), 0.1 beats none → 1.5 / 6; neither reaches 0.6.
        double[] scores = [0.9, 0.2, 0.5, 0.7, 0.5, 0.6, 0.1];
        byte[] labels = [1, 0, 1, 1, 0, 0, 1];
        byte[] scenarios = [1, 0, 2, 1, 0, 0, 2];
        var test = new Vigil.Learning.Data.TrainingSet(["x"], new double[7], labels, new long[7], new int[7], scenarios);

        var results = ScenarioResult.Measure(scores, test, threshold: 0.6);

        Assert.Equal([new ScenarioResult(1, 2, 1.0, 1.0), new ScenarioResult(2, 2, 0.25, 0.0)], results);
        Assert.Empty(ScenarioResult.Measure(scores, new Vigil.Learning.Data.TrainingSet(["x"], new double[7], labels, new long[7], new int[7]), 0.6));
        Assert.Equal([new ScenarioResult(1, 4, 0.75, 0.5), new ScenarioResult(2, 2, 0.25, 0.0)],
            ScenarioResult.Mean([results, [new ScenarioResult(1, 2, 0.5, 0.0)]]));
    }

    [Fact]
    public void A_compromised_terminal_s_frauds_in_the_first_week_of_its_compromise_are_also_measured_apart()
    {
        // As above; the scenario-2 fraud scoring 0.5 came in its compromise's first week: it beats 0.2 and ties 0.5 → AUC 0.5.
        double[] scores = [0.9, 0.2, 0.5, 0.7, 0.5, 0.6, 0.1];
        byte[] labels = [1, 0, 1, 1, 0, 0, 1];
        byte[] scenarios = [1, 0, 2, 1, 0, 0, 2];
        bool[] firstWeek = [false, false, true, false, false, false, false];
        var test = new Vigil.Learning.Data.TrainingSet(["x"], new double[7], labels, new long[7], new int[7], scenarios, firstWeek);

        var results = ScenarioResult.Measure(scores, test, threshold: 0.5);

        Assert.Equal([new ScenarioResult(1, 2, 1.0, 1.0), new ScenarioResult(2, 2, 0.25, 0.5), new ScenarioResult(2, 1, 0.5, 1.0) { FirstWeek = true }], results);
        Assert.Equal(["1", "2", "2, first week"], results.Select(r => r.Name));
        Assert.Equal("2_first_week", results[2].Key);
        var mean = ScenarioResult.Mean([results, [new ScenarioResult(2, 3, 0.5, 0.0) { FirstWeek = true }]]);
        Assert.Equal(new ScenarioResult(2, 4, 0.5, 0.5) { FirstWeek = true }, mean[^1]);
        Assert.Equal(new ScenarioResult(2, 2, 0.25, 0.5), mean[1]);
    }

    [Fact]
    public void Average_precision_sums_precision_at_each_recall_step()
    {
        // Ranked: 0.9 fraud (P 1, R 1/2), 0.8 legit, 0.7 fraud (P 2/3, R 1) → AP = 1/2·1 + 1/2·2/3.
        double[] scores = [0.7, 0.9, 0.8, 0.1];
        byte[] labels = [1, 1, 0, 0];

        Assert.Equal((0.5 * 1) + (0.5 * 2 / 3.0), RankingMetrics.AveragePrecision(scores, labels), 12);
    }

    [Fact]
    public void Average_precision_takes_tied_scores_as_one_threshold()
    {
        // Both at 0.5: one step to recall 1 at precision 1/2.
        Assert.Equal(0.5, RankingMetrics.AveragePrecision([0.5, 0.5], [1, 0]), 12);
    }

    [Fact]
    public void Card_precision_ranks_cards_by_their_highest_score_each_day_and_forgets_cards_caught_before()
    {
        const long Day = 86_400_000;
        // Day 0: card 1 (max 0.9, fraud), card 2 (0.8, legit), card 3 (0.2, fraud). Top 2 → card 1 caught: 1/2.
        // Day 1: card 1 again (0.95, fraud) is left out as caught; card 3 (0.7, fraud), card 2 (0.1) → 1/2.
        double[] scores = [0.9, 0.1, 0.8, 0.2, 0.95, 0.7, 0.1];
        byte[] labels = [1, 0, 0, 1, 1, 1, 0];
        int[] cards = [1, 1, 2, 3, 1, 3, 2];
        long[] times = [0, 10, 20, 30, Day, Day + 1, Day + 2];

        var (mean, perDay) = CardPrecision.AtK(scores, labels, cards, times, k: 2);

        Assert.Equal([0.5, 0.5], perDay);
        Assert.Equal(0.5, mean);
    }

    [Fact]
    public void The_best_f1_threshold_flags_exactly_the_frauds_when_they_score_highest()
    {
        Assert.Equal(0.7, Vigil.Learning.Training.Thresholds.BestF1([0.1, 0.7, 0.9, 0.3], [0, 1, 1, 0]));
    }

    [Fact]
    public void A_calibrated_models_threshold_is_half_the_best_f1()
    {
        // Perfect ranking: F1 1 → 0.5. Ranked 0.9 fraud, 0.8 legit, 0.7 fraud, 0.1 fraud: the best F1 is 6/7 at 0.1
        // (3 of 3 frauds among 4 flagged: 2·3 / (4 + 3)), so the threshold is 3/7.
        Assert.Equal(0.5, Vigil.Learning.Training.Thresholds.HalfBestF1([0.1, 0.7, 0.9, 0.3], [0, 1, 1, 0]));
        Assert.Equal(3 / 7.0, Vigil.Learning.Training.Thresholds.HalfBestF1([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 1]), 12);
        Assert.Equal(0.5, Vigil.Learning.Training.Thresholds.HalfBestF1([0.9, 0.8], [0, 0]));
    }

    [Fact]
    public void The_confusion_matrix_counts_scores_at_the_threshold_as_fraud()
    {
        var data = Rows.Of(["x"], [([0.0], 1), ([0.0], 0), ([0.0], 1), ([0.0], 0)]);

        var m = ClassificationMetrics.Measure([0.5, 0.5, 0.2, 0.1], data, threshold: 0.5);

        Assert.Equal((1, 1, 1, 1), (m.TruePositives, m.FalsePositives, m.TrueNegatives, m.FalseNegatives));
        Assert.Equal(0.5, m.Precision);
        Assert.Equal(0.5, m.Recall);
        Assert.Equal(0.5, m.F1);
    }
}
