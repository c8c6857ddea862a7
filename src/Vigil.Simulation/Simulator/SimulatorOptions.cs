namespace Vigil.Simulation.Simulator;

/// <summary>
/// Parameters of the transaction simulator (configuration section <c>Simulator</c>), defaulting to those of the Fraud
/// Detection Handbook's published dataset (Le Borgne et al., ULB Machine Learning Group).
/// </summary>
public sealed class SimulatorOptions
{
    public const int DefaultCustomers = 5_000;
    public const int DefaultTerminals = 10_000;
    public const int DefaultDays = 183;

    public int Customers { get; set; } = DefaultCustomers;

    public int Terminals { get; set; } = DefaultTerminals;

    /// <summary>Days to simulate; null runs until stopped.</summary>
    public int? Days { get; set; } = DefaultDays;

    /// <summary>Event time of the first simulated day, at midnight UTC.</summary>
    public DateOnly StartDate { get; set; } = new(2018, 4, 1);

    /// <summary>The random seed: the same seed and parameters simulate the same transactions.</summary>
    public ulong Seed { get; set; }

    /// <summary>Customers and terminals live on a square of this side.</summary>
    public double AreaSize { get; set; } = 100;

    /// <summary>A customer uses the terminals closer than this (Euclidean distance, strictly).</summary>
    public double Radius { get; set; } = 5;

    /// <summary>Each customer's mean amount is drawn uniformly from [min, max); its standard deviation is half of it.</summary>
    public double MinMeanAmount { get; set; } = 5;

    public double MaxMeanAmount { get; set; } = 100;

    /// <summary>Each customer's mean number of transactions per day is drawn uniformly from [0, this).</summary>
    public double MaxMeanTransactionsPerDay { get; set; } = 4;

    /// <summary>Times of day are normal around this (seconds after midnight); draws outside the day are dropped.</summary>
    public double MeanTimeOfDaySeconds { get; set; } = 43_200;

    public double TimeOfDayStdDevSeconds { get; set; } = 20_000;

    /// <summary>Scenario 1: every transaction above this amount is fraud.</summary>
    public double FraudAmountThreshold { get; set; } = 220;

    /// <summary>Scenario 2: terminals compromised each day; all their transactions in the following days are fraud.</summary>
    public int CompromisedTerminalsPerDay { get; set; } = 2;

    public int CompromisedTerminalDays { get; set; } = 28;

    /// <summary>Scenario 3: customers compromised each day; a share of their transactions in the following days is inflated and fraud.</summary>
    public int CompromisedCustomersPerDay { get; set; } = 3;

    public int CompromisedCustomerDays { get; set; } = 14;

    /// <summary>Scenario 3: the share of a compromised customer's transactions that are fraudulent.</summary>
    public double CompromisedCustomerFraudShare { get; set; } = 1.0 / 3;

    /// <summary>Scenario 3: fraudulent transactions have their amount multiplied by this.</summary>
    public double CompromisedCustomerAmountFactor { get; set; } = 5;

    /// <summary>Unix milliseconds of <see cref="StartDate"/>.</summary>
    public long StartUnixMilliseconds => new DateTimeOffset(StartDate, TimeOnly.MinValue, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>Checks every parameter; the message names the first wrong one.</summary>
    public void Validate()
    {
        Require(Customers is > 0 and <= 100_000_000, nameof(Customers), "from 1 to 100,000,000");
        Require(Terminals is > 0 and <= 100_000_000, nameof(Terminals), "from 1 to 100,000,000");
        Require(Days is null or > 0, nameof(Days), "a positive number of days, or none for no end");
        Require(double.IsFinite(AreaSize) && AreaSize > 0, nameof(AreaSize), "a positive number");
        Require(double.IsFinite(Radius) && Radius > 0, nameof(Radius), "a positive number");
        Require(double.IsFinite(MinMeanAmount) && MinMeanAmount >= 0 && MaxMeanAmount >= MinMeanAmount && double.IsFinite(MaxMeanAmount), nameof(MaxMeanAmount),
            "finite, with 0 <= MinMeanAmount <= MaxMeanAmount");
        Require(MaxMeanAmount <= 1e9, nameof(MaxMeanAmount), "at most 1,000,000,000");
        Require(double.IsFinite(MaxMeanTransactionsPerDay) && MaxMeanTransactionsPerDay is >= 0 and <= 500, nameof(MaxMeanTransactionsPerDay), "from 0 to 500");
        Require(double.IsFinite(MeanTimeOfDaySeconds) && double.IsFinite(TimeOfDayStdDevSeconds) && TimeOfDayStdDevSeconds >= 0,
            nameof(TimeOfDayStdDevSeconds), "a finite number >= 0");
        Require(double.IsFinite(FraudAmountThreshold) && FraudAmountThreshold >= 0, nameof(FraudAmountThreshold), "a finite amount >= 0");
        Require(CompromisedTerminalsPerDay >= 0 && CompromisedTerminalsPerDay <= Terminals, nameof(CompromisedTerminalsPerDay), "from 0 to the number of terminals");
        Require(CompromisedCustomersPerDay >= 0 && CompromisedCustomersPerDay <= Customers, nameof(CompromisedCustomersPerDay), "from 0 to the number of customers");
        Require(CompromisedTerminalDays > 0, nameof(CompromisedTerminalDays), "a positive number of days");
        Require(CompromisedCustomerDays > 0, nameof(CompromisedCustomerDays), "a positive number of days");
        Require(CompromisedCustomerFraudShare is >= 0 and <= 1, nameof(CompromisedCustomerFraudShare), "from 0 to 1");
        Require(double.IsFinite(CompromisedCustomerAmountFactor) && CompromisedCustomerAmountFactor >= 0, nameof(CompromisedCustomerAmountFactor), "a finite number >= 0");
    }

    private static void Require(bool condition, string name, string expectation)
    {
        if (!condition)
        {
            throw new ArgumentException($"Simulator:{name} must be {expectation}.");
        }
    }
}
