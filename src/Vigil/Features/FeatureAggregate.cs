namespace Vigil.Features;

/// <summary>What a feature computes.</summary>
public enum FeatureAggregate
{
    /// <summary>The transaction's amount.</summary>
    Amount,

    /// <summary>1 on Saturday or Sunday (UTC), else 0.</summary>
    Weekend,

    /// <summary>1 from 00:00:00 to 06:59:59 (UTC), else 0: the handbook's <c>hour &lt;= 6</c>.</summary>
    Night,

    /// <summary>Hour of the day, 0–23 (UTC).</summary>
    Hour,

    /// <summary>Day of the week, Monday 0 to Sunday 6 (UTC), as pandas counts.</summary>
    DayOfWeek,

    /// <summary>Number of the entity's transactions in the window.</summary>
    Count,

    /// <summary>Mean amount of the entity's transactions in the window (0 when there are none).</summary>
    AverageAmount,

    /// <summary>Largest amount of the entity's transactions in the window.</summary>
    MaxAmount,

    /// <summary>Total amount of the entity's transactions in the window.</summary>
    SumAmount,

    /// <summary>Share of the entity's transactions in the window known to be fraud, from released labels (0 when there are none).</summary>
    Risk,

    /// <summary>Distinct counterparties (terminals of a customer, customers of a terminal) in the window.</summary>
    DistinctCounterparties,

    /// <summary>Distinct counterparties that made a transaction of exactly this amount with the entity in the window.</summary>
    SameAmountCounterparties,
}

/// <summary>Whose history a feature reads.</summary>
public enum FeatureEntity
{
    /// <summary>The transaction alone (time features, amount).</summary>
    Transaction,

    /// <summary>The paying side: <c>customer_id</c>, or the seed's <c>source</c>.</summary>
    Customer,

    /// <summary>The receiving side: <c>terminal_id</c>, or the seed's <c>target</c>.</summary>
    Terminal,
}
