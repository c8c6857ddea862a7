using Vigil.Features;

namespace Vigil.Tests.Features;

public class FeatureDefinitionTests
{
    [Theory]
    [InlineData("customer_nb_tx_7d = count(customer, 7d)", FeatureAggregate.Count, FeatureEntity.Customer, 7 * 24, 0)]
    [InlineData("terminal_risk_30d=risk(terminal,30d,delay 7d)", FeatureAggregate.Risk, FeatureEntity.Terminal, 30 * 24, 7 * 24)]
    [InlineData("  x = max_amount( customer , 36h )  ", FeatureAggregate.MaxAmount, FeatureEntity.Customer, 36, 0)]
    [InlineData("tx_hour = hour", FeatureAggregate.Hour, FeatureEntity.Transaction, 0, 0)]
    public void Declared_features_read_as_written(string text, FeatureAggregate aggregate, FeatureEntity entity, int windowHours, int delayHours)
    {
        var feature = FeatureDefinition.Parse(text);

        Assert.Equal(aggregate, feature.Aggregate);
        Assert.Equal(entity, feature.Entity);
        Assert.Equal(TimeSpan.FromHours(windowHours), feature.Window);
        Assert.Equal(TimeSpan.FromHours(delayHours), feature.Delay);
        Assert.Equal(feature, FeatureDefinition.Parse(feature.ToString()));
    }

    [Theory]
    [InlineData("customer_nb_tx_7d", "is not a feature")]
    [InlineData("a = median(customer, 7d)", "unknown aggregate 'median'")]
    [InlineData("a = count(merchant, 7d)", "unknown entity 'merchant'")]
    [InlineData("a = count", "reads a history")]
    [InlineData("a = hour(customer, 1d)", "takes no entity or window")]
    [InlineData("a = max_amount(customer, 1d, delay 1d)", "takes no delay")]
    [InlineData("a = count(customer, 0d)", "at least 1s")]
    [InlineData("1a = count(customer, 1d)", "is not a feature")]
    public void Bad_declarations_say_what_is_wrong(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => FeatureDefinition.Parse(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_declared_feature_extends_a_built_in_set_and_a_name_may_not_repeat()
    {
        var set = FeatureSet.Create(FeatureSet.HandbookName, ["customer_max_amount_1d = max_amount(customer, 1d)"]);

        Assert.Equal(15, set.Count);
        Assert.Equal(14, set.IndexOf("customer_max_amount_1d"));
        var error = Assert.Throws<FormatException>(() => FeatureSet.Create(FeatureSet.HandbookName, ["TX_DURING_NIGHT = night"]));
        Assert.Contains("declared twice", error.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => FeatureSet.Create("mine"));
    }

    [Fact]
    public void The_handbook_set_has_its_fourteen_columns_in_its_order()
    {
        Assert.Equal(
            "TX_DURING_WEEKEND,TX_DURING_NIGHT,CUSTOMER_ID_NB_TX_1DAY_WINDOW,CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW,CUSTOMER_ID_NB_TX_7DAY_WINDOW,CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW,CUSTOMER_ID_NB_TX_30DAY_WINDOW,CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW,TERMINAL_ID_NB_TX_1DAY_WINDOW,TERMINAL_ID_RISK_1DAY_WINDOW,TERMINAL_ID_NB_TX_7DAY_WINDOW,TERMINAL_ID_RISK_7DAY_WINDOW,TERMINAL_ID_NB_TX_30DAY_WINDOW,TERMINAL_ID_RISK_30DAY_WINDOW",
            string.Join(',', FeatureSet.Handbook.Definitions.Select(d => d.Name)));
        Assert.Equal(TimeSpan.FromDays(37), FeatureSet.Handbook.Horizon);
    }
}
