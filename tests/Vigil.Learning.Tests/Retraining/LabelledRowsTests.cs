using Vigil.Labels;
using Vigil.Learning.Retraining;

namespace Vigil.Learning.Tests.Retraining;

public sealed class LabelledRowsTests
{
    private static readonly string[] Inputs = ["a", "b"];

    private static void Add(LabelledRows rows, long key, long timeMs, byte flags = 0) =>
        rows.Add(key, timeMs, card: key % 7, flags, score: float.NaN, [key, timeMs]);

    [Fact]
    public void A_label_joins_its_row_whether_it_comes_after_or_before_it()
    {
        var rows = new LabelledRows(2, 10);
        Add(rows, 1, 100);
        rows.Label(new Label(1, true, 10, 2));
        rows.Label(new Label(2, false, 10, 0));
        Add(rows, 2, 200);
        Add(rows, 3, 300);

        var set = rows.Select(Inputs, long.MinValue);

        Assert.Equal([100L, 200L], set.TimesMs);
        Assert.Equal([(byte)1, (byte)0], set.Labels);
        Assert.Equal([(byte)2, (byte)0], set.Scenarios!);
        Assert.Equal(2.0, set.Value(1, 0));
        Assert.Equal(2, rows.LabelsRead);
        Assert.Equal((2, 3), rows.Maturity(long.MinValue));
    }

    [Fact]
    public void An_analyst_s_verdict_labels_its_row_at_once_and_the_report_when_it_comes_replaces_it()
    {
        var rows = new LabelledRows(2, 10);
        Add(rows, 1, 100);
        Add(rows, 2, 200);
        rows.Label(new Label(1, true, 10, 0) { IsVerdict = true });
        rows.Label(new Label(2, true, 10, 0) { IsVerdict = true });

        Assert.Equal([(byte)1, (byte)1], rows.Select(Inputs, long.MinValue).Labels);
        Assert.Empty(rows.Select(Inputs, long.MinValue, reportsOnly: true).TimesMs); // models are trained and judged on reports
        Assert.Equal((0, 0), (rows.Labelled(reportsOnly: true).Rows, rows.Outcomes(0).Rows));

        rows.Label(new Label(1, false, 10, 0)); // the analyst was wrong: the report is the truth
        rows.Label(new Label(2, true, 10, 3));

        var set = rows.Select(Inputs, long.MinValue);
        Assert.Equal([(byte)0, (byte)1], set.Labels);
        Assert.Equal([(byte)0, (byte)3], set.Scenarios!);
        Assert.Equal((0, 0), (rows.EarlyLabels, rows.LabelsUnmatched)); // a report of a verdict's row is not an unmatched label
        Assert.Equal([(byte)0, (byte)1], rows.Select(Inputs, long.MinValue, reportsOnly: true).Labels);
        Assert.Equal(4, rows.LabelsRead);
    }

    [Fact]
    public void Verdicts_join_the_fitted_rows_ahead_of_the_reports_a_trainer_holds_out()
    {
        var rows = new LabelledRows(2, 20);
        for (var key = 1; key <= 10; key++)
        {
            Add(rows, key, key * 100);
        }

        for (var key = 1; key <= 8; key++)
        {
            rows.Label(new Label(key, key == 3, 10, 0));
        }

        rows.Label(new Label(9, true, 10, 0) { IsVerdict = true });
        rows.Label(new Label(10, false, 10, 0) { IsVerdict = true });
        rows.Label(new Label(2, true, 10, 0) { IsVerdict = true }); // a verdict after the report: the report stands

        var (set, verdicts) = rows.SelectWithVerdicts(Inputs, 200, upToLabel: long.MaxValue, heldOut: 0.3);

        // 7 reports from time 200 and 2 verdicts: 0.3 of 9 rows is 2, the last two reports, after the verdicts.
        Assert.Equal(2, verdicts);
        Assert.Equal([200L, 300, 400, 500, 600, 900, 1000, 700, 800], set.TimesMs);
        Assert.Equal([(byte)0, 1, 0, 0, 0, 1, 0, 0, 0], set.Labels);
        Assert.Equal([200L, 300, 400, 500, 600, 700, 800, 900, 1000], rows.SelectWithVerdicts(Inputs, 200, long.MaxValue, heldOut: 0).Rows.TimesMs);
        Assert.Equal([200L, 300, 400, 500, 600, 700, 800], rows.SelectWithVerdicts(Inputs, 200, upToLabel: 8, heldOut: 0.3).Rows.TimesMs);
        Assert.Throws<ArgumentOutOfRangeException>(() => rows.SelectWithVerdicts(Inputs, 200, long.MaxValue, heldOut: 1));

    }

    [Fact]
    public void Rows_come_out_in_event_time_order_from_a_time_and_after_a_label()
    {
        var rows = new LabelledRows(2, 10);
        Add(rows, 5, 500);
        Add(rows, 4, 400);
        Add(rows, 6, 400);
        rows.Label(new Label(6, false, 0, 0));
        rows.Label(new Label(5, true, 0, 1));
        var after = rows.LabelsRead;
        rows.Label(new Label(4, false, 0, 0));

        Assert.Equal([400L, 400L, 500L], rows.Select(Inputs, long.MinValue).TimesMs);
        Assert.Equal([4.0, 400, 6, 400, 5, 500], rows.Select(Inputs, long.MinValue).Values);
        Assert.Equal([500L], rows.Select(Inputs, 450).TimesMs);
        Assert.Equal([4.0, 400], rows.Select(Inputs, long.MinValue, afterLabel: after).Values);
        Assert.Equal([6.0, 400, 5, 500], rows.Select(Inputs, long.MinValue, upToLabel: after).Values);
        Assert.Equal((3, 1, 400L, 500L), rows.Labelled());
    }

    [Fact]
    public void The_ring_overwrites_its_oldest_rows_and_counts_those_that_never_got_a_label()
    {
        var rows = new LabelledRows(2, 3);
        Add(rows, 1, 100);
        Add(rows, 2, 200);
        rows.Label(new Label(2, false, 0, 0));
        Add(rows, 3, 300);
        Add(rows, 4, 400);
        Add(rows, 5, 500);
        rows.Label(new Label(1, true, 0, 1));

        Assert.Equal(3, rows.Count);
        Assert.Equal(1, rows.RowsExpiredUnlabelled);
        Assert.Empty(rows.Select(Inputs, long.MinValue).TimesMs);
        Assert.Equal(1, rows.EarlyLabels);
        rows.ForgetEarlyLabels(before: 1);
        Assert.Equal(1, rows.LabelsUnmatched);
        Assert.Equal(0, rows.EarlyLabels);
        Add(rows, 1, 600);
        Assert.Equal(0, rows.Labelled().Rows);
    }

    [Fact]
    public void An_early_label_waits_for_its_row_until_it_is_older_than_the_given_time()
    {
        var rows = new LabelledRows(2, 10);
        rows.Label(new Label(7, true, 0, 1), arrivedAt: 100);
        rows.Label(new Label(8, true, 0, 1), arrivedAt: 200);
        rows.ForgetEarlyLabels(before: 100);
        Add(rows, 7, 700);
        rows.ForgetEarlyLabels(before: 201);
        Add(rows, 8, 800);

        Assert.Equal([700L], rows.Select(Inputs, long.MinValue).TimesMs);
        Assert.Equal(1, rows.LabelsUnmatched);
        Assert.Equal(0, rows.EarlyLabels);
    }

    [Fact]
    public void A_label_keeps_the_number_of_its_arrival_when_its_row_comes_later()
    {
        var rows = new LabelledRows(2, 10);
        Add(rows, 10, 1_000);
        rows.Label(new Label(9, true, 0, 1));
        rows.Label(new Label(10, false, 0, 0));
        var trained = rows.LabelsRead;
        Add(rows, 9, 900);
        rows.Label(new Label(11, true, 0, 3));
        Add(rows, 11, 1_100);

        // Label 9 came before the "training": its late row is not among the labels matured since.
        Assert.Equal([1_100L], rows.Select(Inputs, long.MinValue, afterLabel: trained).TimesMs);
        Assert.Equal([900L, 1_000L], rows.Select(Inputs, long.MinValue, upToLabel: trained).TimesMs);
    }

    [Fact]
    public void The_pipelines_own_outcomes_are_counted_on_the_labels_after_a_point()
    {
        var rows = new LabelledRows(2, 10);
        Add(rows, 1, 100, LabelledRows.FlaggedFlag | LabelledRows.RuleFlag);
        Add(rows, 2, 200, LabelledRows.FlaggedFlag);
        Add(rows, 3, 300);
        Add(rows, 4, 400);
        rows.Label(new Label(1, true, 0, 1));
        var after = rows.LabelsRead;
        rows.Label(new Label(2, false, 0, 0));
        rows.Label(new Label(3, true, 0, 2));

        Assert.Equal((2, 1, 0, 1, 200L), rows.Outcomes(after));
        Assert.Equal((3, 2, 1, 2, 100L), rows.Outcomes(0));
        Assert.Equal([(byte)(LabelledRows.FlaggedFlag | LabelledRows.RuleFlag), LabelledRows.FlaggedFlag, (byte)0], rows.Flags(long.MinValue));
    }
}
