using System.Text;
using Vigil.Detection;
using Vigil.Rules;
using Vigil.Transactions;

namespace Vigil.Tests.Detection;

public class DetectorTests
{
    private readonly TransactionDecoder _decoder = new();
    private readonly Transaction _transaction = new();
    private readonly Decision _decision = new();

    private Decision Decide(Detector detector, double amount)
    {
        var json = Encoding.UTF8.GetBytes($"{{\"amount\": {amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}");
        Assert.True(_decoder.TryDecode(json, _transaction, out _));
        detector.Decide(_transaction, _decision);
        return _decision;
    }

    [Theory]
    [InlineData(900.00, true)]
    [InlineData(900.01, true)]
    [InlineData(1000.00, true)]
    [InlineData(899.99, false)]
    [InlineData(0, false)]
    public void Detector_routes_amount_at_threshold_to_fraud(double amount, bool fraud)
    {
        var decision = Decide(new Detector(RuleSet.AmountThreshold()), amount);

        Assert.Equal(fraud, decision.IsFraud);
        Assert.Equal(fraud ? 1 : 0, decision.Score);
        Assert.Equal(fraud ? 1 : 0, decision.FiredCount);
        Assert.Equal("builtin:amount>=900", decision.RuleSet.Version);
    }

    [Fact]
    public void Detector_threshold_is_configurable()
    {
        var detector = new Detector(RuleSet.AmountThreshold(100.5));

        Assert.True(Decide(detector, 100.5).IsFraud);
        Assert.False(Decide(detector, 100.49).IsFraud);
        Assert.Equal("amount >= 100.5", detector.Rules.Rules[0].Expression);
    }

    [Fact]
    public void Detector_reports_every_rule_that_fired_and_adds_their_scores()
    {
        var rules = new RuleSet("test-2",
        [
            new Rule("small", "amount < 10", 0.3, t => t.Amount < 10),
            new Rule("round", "amount is whole", 0.6, t => t.Amount == Math.Floor(t.Amount)),
            new Rule("huge", "amount > 1000", 1, t => t.Amount > 1000),
        ]);

        var decision = Decide(new Detector(rules), 5);

        Assert.True(decision.IsFraud);
        Assert.Equal(0.9, decision.Score, 12);
        Assert.Equal([0, 1], decision.FiredRules.ToArray());
        Assert.Equal(1, Decide(new Detector(rules), 2000).Score);
    }

    [Fact]
    public void Detector_swaps_the_whole_rule_set_between_decisions()
    {
        var detector = new Detector(RuleSet.AmountThreshold(900));
        Assert.False(Decide(detector, 500).IsFraud);

        detector.Rules = RuleSet.AmountThreshold(400);

        var decision = Decide(detector, 500);
        Assert.True(decision.IsFraud);
        Assert.Equal("builtin:amount>=400", decision.RuleSet.Version);
    }

    [Fact]
    public void Rule_scores_outside_zero_to_one_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rule("r", "x", 1.5, _ => true));
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleSet.AmountThreshold(double.NaN));
    }
}
