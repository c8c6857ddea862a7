using Vigil.Cli.Terminal;
using Vigil.Quality;

namespace Vigil.Cli.Tests.Terminal;

public sealed class SummaryTests
{
    [Fact]
    public void The_fraud_money_line_gives_each_amount_its_own_share()
    {
        var quality = new QualitySnapshot(new ConfusionMatrix(1, 0, 10, 3), 14, 1, FraudAmountCaught: 41_000, FraudAmountMissed: 270_556.13, GenuineAmountFlagged: 0,
            0, 0, 0, 0, 0, 0, 0, []);

        Assert.Equal("caught 41,000.00 (13.2 %) · missed 270,556.13 (86.8 %) of the fraud money · genuine flagged 0.00", Summary.FraudMoney(quality));
    }
}
