using Vigil.Simulation.Randomness;

namespace Vigil.Simulation.Simulator;

/// <summary>
/// The Fraud Detection Handbook's transaction simulator, day by day: each customer's transactions of the day at the
/// terminals within its radius, labelled by the three fraud scenarios, in event-time order.
/// </summary>
/// <remarks>
/// <para>Per customer and day: nb_tx ~ Poisson(mean_nb_tx_per_day); each transaction's time of day is
/// int(N(43200, 20000)) seconds, dropped unless inside the day; its amount ~ N(mean, std), drawn again from
/// U(0, 2·mean) when negative, rounded to cents; its terminal uniform among the customer's.</para>
/// <para>Scenarios, applied in this order, the last one winning: (1) amounts above 220 are fraud; (2) each day 2
/// terminals are compromised and all their transactions of the next 28 days are fraud; (3) each day 3 customers are
/// compromised and a third of their transactions over the next 14 days, drawn at random among them, are fraud with
/// their amount multiplied by 5 (a transaction drawn by two overlapping compromises is inflated twice).</para>
/// <para>Every (customer, day) has its own random stream derived from the seed, so scenario 3 can look 14 days ahead,
/// pick exactly a third of the transactions there, and find the same transactions when their day comes. The same
/// seed and options always give the same transactions, byte for byte, wherever the stream is read from.</para>
/// </remarks>
public sealed class TransactionSimulator
{
    private const int SecondsPerDay = SimulatedTransaction.SecondsPerDay;

    private readonly SimulatorOptions _options;
    private readonly Xoshiro256 _random = new(0);
    private readonly Xoshiro256 _draws = new(0);
    private readonly double[] _expMinusMean;
    private readonly int[] _terminalCompromisedUntil;
    private readonly Dictionary<long, List<int>> _inflated = [];
    private readonly List<(int Customer, int Day, int Ordinal)> _pool = [];
    private readonly int[] _secondStarts = new int[SecondsPerDay + 1];
    private readonly double _thresholdCents;
    private CustomerDayTransaction[] _customerDay = new CustomerDayTransaction[64];
    private SimulatedTransaction[] _unsorted = new SimulatedTransaction[1024];
    private SimulatedTransaction[] _sorted = new SimulatedTransaction[1024];
    private long _nextId;

    public TransactionSimulator(SimulatorOptions options)
        : this(options, SimulatedPopulation.Create(options))
    {
    }

    /// <summary>Simulates over a population already built with the same options (it is the costly part to set up).</summary>
    public TransactionSimulator(SimulatorOptions options, SimulatedPopulation population)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(population);
        options.Validate();
        _options = options;
        Population = population;
        _expMinusMean = new double[options.Customers];
        for (var i = 0; i < _expMinusMean.Length; i++)
        {
            _expMinusMean[i] = Math.Exp(-population.Customers[i].MeanTransactionsPerDay);
        }

        _terminalCompromisedUntil = new int[options.Terminals];
        _thresholdCents = options.FraudAmountThreshold * 100;
        StartUnixMilliseconds = options.StartUnixMilliseconds;
    }

    public SimulatedPopulation Population { get; }

    public SimulatorOptions Options => _options;

    /// <summary>The next day <see cref="NextDay"/> simulates, from 0.</summary>
    public int Day { get; private set; }

    public bool IsFinished => _options.Days is { } days && Day >= days;

    /// <summary>Transactions simulated so far.</summary>
    public long Simulated => _nextId;

    public long StartUnixMilliseconds { get; }

    /// <summary>A transaction's event time in Unix milliseconds.</summary>
    public long UnixMilliseconds(in SimulatedTransaction transaction) => StartUnixMilliseconds + (transaction.TimeSeconds * 1000);

    /// <summary>Simulates the next day; its transactions in event-time order, valid until the next call.</summary>
    /// <remarks>Transactions in the same second are ordered by customer, then by the order the customer made them.</remarks>
    public ReadOnlyMemory<SimulatedTransaction> NextDay()
    {
        if (IsFinished)
        {
            throw new InvalidOperationException($"The simulation has ended after {_options.Days} days.");
        }

        var day = Day;
        CompromiseTerminals(day);
        CompromiseCustomers(day);
        Array.Clear(_secondStarts);
        var total = 0;
        for (var customer = 0; customer < _options.Customers; customer++)
        {
            var count = SimulateCustomerDay(customer, day);
            if (_inflated.Remove(Key(customer, day), out var ordinals))
            {
                foreach (var ordinal in ordinals)
                {
                    _customerDay[ordinal].Inflations++;
                }
            }

            if (total + count > _unsorted.Length)
            {
                Array.Resize(ref _unsorted, Math.Max(_unsorted.Length * 2, total + count));
            }

            for (var i = 0; i < count; i++)
            {
                ref readonly var raw = ref _customerDay[i];
                _unsorted[total++] = Label(raw, customer, day);
                _secondStarts[raw.TimeOfDay + 1]++;
            }
        }

        // A counting sort on the second of the day: linear, and stable, so ties keep customer order.
        for (var second = 1; second <= SecondsPerDay; second++)
        {
            _secondStarts[second] += _secondStarts[second - 1];
        }

        if (_sorted.Length < total)
        {
            _sorted = new SimulatedTransaction[_unsorted.Length];
        }

        var dayStart = (long)day * SecondsPerDay;
        for (var i = 0; i < total; i++)
        {
            ref readonly var transaction = ref _unsorted[i];
            var at = _secondStarts[transaction.TimeSeconds]++;
            _sorted[at] = transaction with { TimeSeconds = dayStart + transaction.TimeSeconds };
        }

        for (var i = 0; i < total; i++)
        {
            _sorted[i] = _sorted[i] with { TransactionId = _nextId++ };
        }

        Day++;
        return _sorted.AsMemory(0, total);
    }

    /// <summary>Applies the scenarios to one of the customer's transactions; its time is still the second of the day.</summary>
    private SimulatedTransaction Label(in CustomerDayTransaction raw, int customer, int day)
    {
        var cents = raw.AmountCents;
        var scenario = FraudScenario.None;
        if (cents > _thresholdCents)
        {
            scenario = FraudScenario.AmountAboveThreshold;
        }

        if (_terminalCompromisedUntil[raw.Terminal] > day)
        {
            scenario = FraudScenario.CompromisedTerminal;
        }

        for (var i = 0; i < raw.Inflations; i++)
        {
            cents = (long)Math.Round(cents * _options.CompromisedCustomerAmountFactor, MidpointRounding.ToEven);
            scenario = FraudScenario.CompromisedCustomer;
        }

        return new SimulatedTransaction(0, raw.TimeOfDay, customer, raw.Terminal, cents, scenario);
    }

    /// <summary>Scenario 2: the terminals compromised on <paramref name="day"/>; their transactions are fraud from that day on.</summary>
    public IReadOnlyList<int> CompromisedTerminalsOn(int day) =>
        DrawDistinct(StreamFor(SimulationStream.CompromisedTerminals, day, 0), _options.CompromisedTerminalsPerDay, _options.Terminals);

    /// <summary>Scenario 3: the customers compromised on <paramref name="day"/>.</summary>
    public IReadOnlyList<int> CompromisedCustomersOn(int day) =>
        DrawDistinct(StreamFor(SimulationStream.CompromisedCustomers, day, 0), _options.CompromisedCustomersPerDay, _options.Customers);

    private Xoshiro256 StreamFor(SimulationStream stream, int day, ulong part)
    {
        _draws.Reseed(Xoshiro256.StreamSeed(_options.Seed, (ulong)stream, (ulong)day, part));
        return _draws;
    }

    private void CompromiseTerminals(int day)
    {
        foreach (var terminal in CompromisedTerminalsOn(day))
        {
            _terminalCompromisedUntil[terminal] = Math.Max(_terminalCompromisedUntil[terminal], day + _options.CompromisedTerminalDays);
        }
    }

    /// <summary>
    /// Scenario 3: the customers drawn today; among all their transactions from today over the window, a share drawn
    /// without replacement is marked for inflation, to be applied when each transaction's day is simulated.
    /// </summary>
    private void CompromiseCustomers(int day)
    {
        var customers = CompromisedCustomersOn(day);
        var lastDay = day + _options.CompromisedCustomerDays - 1;
        if (_options.Days is { } days)
        {
            lastDay = Math.Min(lastDay, days - 1);
        }

        _pool.Clear();
        foreach (var customer in customers)
        {
            for (var d = day; d <= lastDay; d++)
            {
                var count = SimulateCustomerDay(customer, d);
                for (var ordinal = 0; ordinal < count; ordinal++)
                {
                    _pool.Add((customer, d, ordinal));
                }
            }
        }

        // The handbook takes int(n / 3); the tolerance keeps 3 × (1/3) from flooring to 0.
        var fraudulent = (int)Math.Floor((_pool.Count * _options.CompromisedCustomerFraudShare) + 1e-9);
        var random = StreamFor(SimulationStream.CompromisedCustomers, day, 1);
        for (var i = 0; i < fraudulent; i++)
        {
            var j = i + (int)random.NextBelow((ulong)(_pool.Count - i));
            (_pool[i], _pool[j]) = (_pool[j], _pool[i]);
            var (customer, d, ordinal) = _pool[i];
            if (!_inflated.TryGetValue(Key(customer, d), out var ordinals))
            {
                _inflated[Key(customer, d)] = ordinals = [];
            }

            ordinals.Add(ordinal);
        }
    }

    /// <summary>Draws <paramref name="count"/> distinct values from [0, <paramref name="bound"/>) (Floyd's algorithm).</summary>
    private static List<int> DrawDistinct(Xoshiro256 random, int count, int bound)
    {
        var chosen = new List<int>(count);
        for (var j = bound - count; j < bound; j++)
        {
            var candidate = (int)random.NextBelow((ulong)j + 1);
            chosen.Add(chosen.Contains(candidate) ? j : candidate);
        }

        return chosen;
    }

    /// <summary>The customer's transactions on that day, in the order made, into the scratch buffer; returns how many.</summary>
    private int SimulateCustomerDay(int customer, int day)
    {
        var profile = Population.Customers[customer];
        var terminals = Population.TerminalsOf(customer);
        _random.Reseed(Xoshiro256.StreamSeed(_options.Seed, (ulong)SimulationStream.CustomerDay, (ulong)customer, (ulong)day));
        var attempts = _random.NextPoisson(_expMinusMean[customer]);
        if (attempts > _customerDay.Length)
        {
            Array.Resize(ref _customerDay, Math.Max(attempts, _customerDay.Length * 2));
        }

        var count = 0;
        for (var i = 0; i < attempts; i++)
        {
            _random.NextNormalPair(out var timeNoise, out var amountNoise);

            // Truncated toward zero, as Python's int() does.
            var time = Math.Truncate(_options.MeanTimeOfDaySeconds + (_options.TimeOfDayStdDevSeconds * timeNoise));
            if (time <= 0 || time >= SecondsPerDay || terminals.IsEmpty)
            {
                continue;
            }

            var amount = profile.MeanAmount + (profile.StdDevAmount * amountNoise);
            if (amount < 0)
            {
                amount = _random.NextUniform(0, profile.MeanAmount * 2);
            }

            var terminal = terminals[(int)_random.NextBelow((ulong)terminals.Length)];
            _customerDay[count++] = new CustomerDayTransaction((int)time, terminal, (long)Math.Round(amount * 100, MidpointRounding.ToEven));
        }

        return count;
    }

    private static long Key(int customer, int day) => ((long)day << 32) | (uint)customer;

    private record struct CustomerDayTransaction(int TimeOfDay, int Terminal, long AmountCents)
    {
        /// <summary>How many scenario-3 compromises picked this transaction.</summary>
        public int Inflations;
    }
}
