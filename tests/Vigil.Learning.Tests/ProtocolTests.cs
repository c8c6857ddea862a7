using Vigil.Learning.Evaluation;

namespace Vigil.Learning.Tests;

public sealed class ProtocolTests
{
    private const long DayMs = 86_400_000;

    [Fact]
    public void The_handbook_split_trains_a_week_skips_a_week_and_tests_without_the_cards_known_compromised()
    {
        var start = new DateTimeOffset(2018, 7, 25, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() - (7 * DayMs);
        // Five cards, one transaction each per day for 7 weeks from 2018-07-18; card 0 is fraud in training (day 7),
        // card 1 on day 14 (delay period: known from test day 14 + 8 = 22), card 2 on test day 22 (not known: tested).
        var rows = new List<(double[], int)>();
        var cards = new List<int>();
        var times = new List<long>();
        for (var day = 0; day < 49; day++)
        {
            for (var card = 0; card < 5; card++)
            {
                var fraud = (card, day) is (0, 7) or (1, 14) or (2, 22);
                rows.Add(([card], fraud ? 1 : 0));
                cards.Add(card);
                times.Add(start + (day * DayMs) + (card * 1000));
            }
        }

        var data = Rows.Of(["card"], rows, [.. cards], [.. times]);
        var splits = EvaluationProtocols.Handbook(data);

        Assert.Equal(["single", "prequential-1", "prequential-2", "prequential-3", "prequential-4"], splits.Select(s => s.Name));
        var single = splits[0];
        Assert.Equal(35, single.TrainRows.Length);
        Assert.All(single.TrainRows, r => Assert.InRange(data.TimesMs[r], start + (7 * DayMs), start + (14 * DayMs) - 1));
        var tested = single.TestRows.GroupBy(r => (data.TimesMs[r] - start) / DayMs).ToDictionary(g => g.Key, g => g.Select(r => data.Cards[r]).ToList());
        Assert.Equal([21L, 22, 23, 24, 25, 26, 27], tested.Keys.Order());
        Assert.DoesNotContain(0, tested.SelectMany(t => t.Value));
        Assert.Equal([1, 2, 3, 4], tested[21]);
        Assert.Equal([2, 3, 4], tested[22]);
        Assert.Equal([2, 3, 4], tested[23]);
        Assert.Equal(single.TrainRows, splits[4].TrainRows);
        Assert.Equal(start + (28 * DayMs), data.TimesMs[splits[1].TrainRows[0]]);
    }

    [Fact]
    public void A_dataset_that_does_not_cover_the_protocol_says_which_dates_it_needs()
    {
        var data = Rows.Of(["x"], [([1.0], 0), ([2.0], 1)]);

        var e = Assert.Throws<ArgumentException>(() => EvaluationProtocols.Handbook(data));

        Assert.Contains("trains from 2018-07-25", e.Message, StringComparison.Ordinal);
        Assert.Contains("--train-start", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random70_splits_every_row_once_the_same_way_for_a_seed()
    {
        var data = Rows.Xor(25, seed: 1);

        var split = EvaluationProtocols.Random70(data, seed: 3);

        Assert.Equal(70, split.TrainRows.Length);
        Assert.Equal(Enumerable.Range(0, 100), split.TrainRows.Concat(split.TestRows).Order());
        Assert.Equal(split.TestRows, EvaluationProtocols.Random70(data, seed: 3).TestRows);
    }
}
