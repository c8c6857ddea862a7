using Vigil.Simulation.Simulator;

namespace Vigil.Simulation.Tests.Simulator;

public sealed class TransactionSimulatorTests
{
    private static List<SimulatedTransaction> Simulate(SimulatorOptions options)
    {
        var simulator = new TransactionSimulator(options);
        var all = new List<SimulatedTransaction>();
        while (!simulator.IsFinished)
        {
            all.AddRange(simulator.NextDay().Span);
        }

        return all;
    }

    private static SimulatorOptions Small(ulong seed = 1, int days = 30) => new()
    {
        Customers = 300,
        Terminals = 600,
        Days = days,
        Seed = seed,
    };

    [Fact]
    public void The_same_seed_simulates_the_same_transactions_and_another_seed_others()
    {
        var first = Simulate(Small(seed: 5));
        var second = Simulate(Small(seed: 5));
        var other = Simulate(Small(seed: 6));

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
        Assert.NotEqual(first.Take(100), other.Take(100));
    }

    [Fact]
    public void Transactions_come_in_event_time_order_numbered_from_0_each_inside_its_day()
    {
        var transactions = Simulate(Small());

        for (var i = 0; i < transactions.Count; i++)
        {
            var t = transactions[i];
            Assert.Equal(i, t.TransactionId);
            Assert.InRange(t.TimeSeconds % SimulatedTransaction.SecondsPerDay, 1, SimulatedTransaction.SecondsPerDay - 1);
            Assert.InRange(t.Day, 0, 29);
            if (i > 0)
            {
                Assert.True(t.TimeSeconds >= transactions[i - 1].TimeSeconds);
            }
        }
    }

    [Fact]
    public void Customers_use_exactly_the_terminals_strictly_within_their_radius()
    {
        var options = Small();
        var population = SimulatedPopulation.Create(options);

        for (var c = 0; c < options.Customers; c++)
        {
            var customer = population.Customers[c];
            var expected = new List<int>();
            for (var t = 0; t < options.Terminals; t++)
            {
                var (x, y) = population.Terminals[t];
                if (Math.Sqrt(((x - customer.X) * (x - customer.X)) + ((y - customer.Y) * (y - customer.Y))) < options.Radius)
                {
                    expected.Add(t);
                }
            }

            Assert.Equal(expected, population.TerminalsOf(c).ToArray());
        }
    }

    [Fact]
    public void Profiles_are_drawn_from_the_published_ranges()
    {
        var population = SimulatedPopulation.Create(Small());

        foreach (var customer in population.Customers)
        {
            Assert.InRange(customer.X, 0, 100);
            Assert.InRange(customer.MeanAmount, 5, 100);
            Assert.Equal(customer.MeanAmount / 2, customer.StdDevAmount);
            Assert.InRange(customer.MeanTransactionsPerDay, 0, 4);
        }
    }

    [Fact]
    public void Scenario_1_alone_flags_exactly_the_amounts_above_the_threshold()
    {
        var options = Small();
        options.CompromisedTerminalsPerDay = 0;
        options.CompromisedCustomersPerDay = 0;
        options.FraudAmountThreshold = 120;

        var transactions = Simulate(options);

        Assert.Contains(transactions, t => t.IsFraud);
        Assert.All(transactions, t => Assert.Equal(t.AmountCents > 12_000, t.Scenario == FraudScenario.AmountAboveThreshold));
    }

    [Fact]
    public void Scenario_2_makes_every_transaction_at_a_compromised_terminal_fraud_for_the_window_from_its_day()
    {
        var options = Small(days: 60);
        options.FraudAmountThreshold = 1e9;
        options.CompromisedCustomersPerDay = 0;
        options.CompromisedTerminalsPerDay = 3;
        options.CompromisedTerminalDays = 5;
        var simulator = new TransactionSimulator(options);
        var transactions = Simulate(options);

        var drawn = Enumerable.Range(0, 60).Select(simulator.CompromisedTerminalsOn).ToList();
        Assert.All(drawn, terminals => Assert.Equal(3, terminals.Distinct().Count()));
        Assert.All(transactions, t =>
        {
            var compromised = Enumerable.Range(Math.Max(0, t.Day - 4), Math.Min(5, t.Day + 1)).Any(d => drawn[d].Contains(t.TerminalId));
            Assert.Equal(compromised, t.Scenario == FraudScenario.CompromisedTerminal);
        });
        Assert.Contains(transactions, t => t.IsFraud);
    }

    [Fact]
    public void Scenario_3_inflates_exactly_a_third_of_the_compromised_customers_transactions_by_5()
    {
        // Every customer is compromised on the only day: the pool is the whole day, so exactly floor(n / 3) are hit.
        static SimulatorOptions OneDay(int compromisedCustomers)
        {
            var options = Small(days: 1);
            options.Customers = 200;
            options.FraudAmountThreshold = 1e9;
            options.CompromisedTerminalsPerDay = 0;
            options.CompromisedCustomersPerDay = compromisedCustomers;
            return options;
        }

        var plain = OneDay(compromisedCustomers: 0);
        var compromised = OneDay(compromisedCustomers: 200);

        var before = Simulate(plain);
        var after = Simulate(compromised);

        // The draws of scenario 3 do not disturb what customers do: the same transactions, some amounts inflated.
        Assert.Equal(before.Count, after.Count);
        var inflated = 0;
        for (var i = 0; i < before.Count; i++)
        {
            Assert.Equal((before[i].TimeSeconds, before[i].CustomerId, before[i].TerminalId), (after[i].TimeSeconds, after[i].CustomerId, after[i].TerminalId));
            if (after[i].Scenario == FraudScenario.CompromisedCustomer)
            {
                inflated++;
                Assert.Equal(before[i].AmountCents * 5, after[i].AmountCents);
            }
            else
            {
                Assert.Equal(before[i].AmountCents, after[i].AmountCents);
                Assert.False(after[i].IsFraud);
            }
        }

        Assert.Equal(before.Count / 3, inflated);
    }

    [Fact]
    public void A_simulation_without_an_end_keeps_simulating()
    {
        var options = Small();
        options.Days = null;
        var simulator = new TransactionSimulator(options);
        for (var day = 0; day < 40; day++)
        {
            simulator.NextDay();
        }

        Assert.False(simulator.IsFinished);
        Assert.Equal(40, simulator.Day);
    }

    [Fact]
    public void Event_time_starts_at_midnight_of_the_start_date()
    {
        var options = Small(days: 2);
        options.StartDate = new DateOnly(2020, 2, 29);
        var simulator = new TransactionSimulator(options);
        var first = simulator.NextDay().Span[0];

        var time = DateTimeOffset.FromUnixTimeMilliseconds(simulator.UnixMilliseconds(first));
        Assert.Equal(new DateTime(2020, 2, 29), time.UtcDateTime.Date);
        Assert.Equal(first.TimeSeconds, (long)time.TimeOfDay.TotalSeconds);
    }

    [Theory]
    [InlineData(nameof(SimulatorOptions.Customers), "Simulator:Customers must be from 1")]
    [InlineData(nameof(SimulatorOptions.Radius), "Simulator:Radius must be a positive number")]
    [InlineData(nameof(SimulatorOptions.CompromisedCustomerFraudShare), "Simulator:CompromisedCustomerFraudShare must be from 0 to 1")]
    public void Wrong_parameters_are_refused_with_the_name_of_the_setting(string setting, string message)
    {
        var options = Small();
        var property = typeof(SimulatorOptions).GetProperty(setting)!;
        property.SetValue(options, property.PropertyType == typeof(int) ? (object)0 : -1.0);

        var error = Assert.Throws<ArgumentException>(() => new TransactionSimulator(options));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
