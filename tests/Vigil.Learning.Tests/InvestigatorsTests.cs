using Vigil.Learning.Data;
using Vigil.Learning.Evaluation;
using Vigil.Models;

namespace Vigil.Learning.Tests;

public sealed class InvestigatorsTests
{
    private const long DayMs = 86_400_000;

    /// <summary>Ten days, five cards, two transactions per card a day; a transaction's x is card × 10 + day (card 4 riskiest).</summary>
    private static (TrainingSet Data, EvaluationSplit Split) Data()
    {
        var values = new List<double>();
        var times = new List<long>();
        var cards = new List<int>();
        for (var day = 0; day < 10; day++)
        {
            for (var t = 0; t < 2; t++)
            {
                for (var card = 0; card < 5; card++)
                {
                    // On day 3 card 0 is the riskiest instead: the reviews follow each day's scores.
                    values.Add(day == 3 && card == 0 ? 100 : (card * 10) + day);
                    times.Add((day * DayMs) + (t * 3_600_000) + card);
                    cards.Add(card);
                }
            }
        }

        var data = new TrainingSet(["x"], [.. values], new byte[values.Count], [.. times], [.. cards]);
        return (data, new EvaluationSplit("single", "day 0, then 7 days of delay", data.RowsBetween(0, DayMs), data.RowsBetween(8 * DayMs, 10 * DayMs)));
    }

    private static readonly LogisticModel Riskier = new(["x"], [0], [1], [0.1], intercept: -3, threshold: 0.5);

    [Fact]
    public void Each_delay_day_the_k_riskiest_cards_of_that_day_are_known_with_all_their_transactions_of_the_day()
    {
        var (data, split) = Data();

        var feedback = Investigators.Feedback(data, split, Riskier, cardsPerDay: 2);

        Assert.Equal(7 * 2 * 2, feedback.Length);
        Assert.All(feedback, r => Assert.InRange(data.TimesMs[r], DayMs, (8 * DayMs) - 1));
        Assert.Equal(feedback.Order(), feedback);
        for (var day = 1; day <= 7; day++)
        {
            var cards = feedback.Where(r => data.TimesMs[r] / DayMs == day).Select(r => data.Cards[r]).Distinct().Order();
            Assert.Equal(day == 3 ? [0, 4] : [3, 4], cards);
        }
    }

    [Fact]
    public void No_investigators_learn_nothing_and_more_than_the_cards_learn_every_card()
    {
        var (data, split) = Data();

        Assert.Empty(Investigators.Feedback(data, split, Riskier, cardsPerDay: 0));
        Assert.Equal(7 * 2 * 5, Investigators.Feedback(data, split, Riskier, cardsPerDay: 50).Length);
    }
}
