using Vigil.Simulation.Randomness;

namespace Vigil.Simulation.Simulator;

/// <summary>The simulated customers and terminals, and for each customer the terminals within its radius.</summary>
/// <remarks>
/// Customers and terminals are placed uniformly on a square; a customer uses the terminals strictly closer than the
/// radius. Neighbours are found through a grid of cells one radius wide, so building the population costs about
/// (customers × terminals within 3 × 3 cells) distance checks rather than customers × terminals.
/// </remarks>
public sealed class SimulatedPopulation
{
    private readonly CustomerProfile[] _customers;
    private readonly (double X, double Y)[] _terminals;
    private readonly long[] _offsets;
    private readonly int[] _neighbours;

    private SimulatedPopulation(CustomerProfile[] customers, (double X, double Y)[] terminals, long[] offsets, int[] neighbours)
    {
        _customers = customers;
        _terminals = terminals;
        _offsets = offsets;
        _neighbours = neighbours;
    }

    public ReadOnlySpan<CustomerProfile> Customers => _customers;

    public ReadOnlySpan<(double X, double Y)> Terminals => _terminals;

    /// <summary>The terminals customer <paramref name="customer"/> uses, in ascending order.</summary>
    public ReadOnlySpan<int> TerminalsOf(int customer) =>
        _neighbours.AsSpan((int)_offsets[customer], (int)(_offsets[customer + 1] - _offsets[customer]));

    public double AverageTerminalsPerCustomer => (double)_neighbours.Length / _customers.Length;

    public static SimulatedPopulation Create(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var random = new Xoshiro256(Xoshiro256.StreamSeed(options.Seed, (ulong)SimulationStream.Customers));
        var customers = new CustomerProfile[options.Customers];
        for (var i = 0; i < customers.Length; i++)
        {
            var x = random.NextUniform(0, options.AreaSize);
            var y = random.NextUniform(0, options.AreaSize);
            var mean = random.NextUniform(options.MinMeanAmount, options.MaxMeanAmount);
            var perDay = random.NextUniform(0, options.MaxMeanTransactionsPerDay);
            customers[i] = new CustomerProfile(x, y, mean, mean / 2, perDay);
        }

        random.Reseed(Xoshiro256.StreamSeed(options.Seed, (ulong)SimulationStream.Terminals));
        var terminals = new (double X, double Y)[options.Terminals];
        for (var i = 0; i < terminals.Length; i++)
        {
            terminals[i] = (random.NextUniform(0, options.AreaSize), random.NextUniform(0, options.AreaSize));
        }

        var (offsets, neighbours) = Neighbours(customers, terminals, options.AreaSize, options.Radius);
        return new SimulatedPopulation(customers, terminals, offsets, neighbours);
    }

    private static (long[] Offsets, int[] Neighbours) Neighbours(
        CustomerProfile[] customers, (double X, double Y)[] terminals, double areaSize, double radius)
    {
        var grid = new TerminalGrid(terminals, areaSize, radius);
        var offsets = new long[customers.Length + 1];
        for (var i = 0; i < customers.Length; i++)
        {
            offsets[i + 1] = offsets[i] + grid.Within(customers[i].X, customers[i].Y, []);
        }

        if (offsets[^1] > Array.MaxLength)
        {
            throw new ArgumentException(
                $"Customers would use {offsets[^1]:N0} terminals in all, more than one process can hold: lower Simulator:Radius, Customers or Terminals.");
        }

        var neighbours = new int[offsets[^1]];
        for (var i = 0; i < customers.Length; i++)
        {
            var slice = neighbours.AsSpan((int)offsets[i], (int)(offsets[i + 1] - offsets[i]));
            grid.Within(customers[i].X, customers[i].Y, slice);
            slice.Sort();
        }

        return (offsets, neighbours);
    }

    /// <summary>Terminals bucketed by square cells one radius wide: a customer's neighbours lie in the 3 × 3 cells around it.</summary>
    private sealed class TerminalGrid
    {
        private readonly (double X, double Y)[] _terminals;
        private readonly double _cell;
        private readonly int _side;
        private readonly int[] _cellStart;
        private readonly int[] _members;
        private readonly double _radiusSquared;
        private readonly double _radius;

        public TerminalGrid((double X, double Y)[] terminals, double areaSize, double radius)
        {
            _terminals = terminals;
            _radius = radius;
            _radiusSquared = radius * radius;
            _side = (int)Math.Clamp(Math.Ceiling(areaSize / radius), 1, 4096);
            _cell = areaSize / _side;
            _cellStart = new int[(_side * _side) + 1];
            foreach (var (x, y) in terminals)
            {
                _cellStart[CellOf(x, y) + 1]++;
            }

            for (var i = 1; i < _cellStart.Length; i++)
            {
                _cellStart[i] += _cellStart[i - 1];
            }

            _members = new int[terminals.Length];
            var fill = _cellStart[..^1];
            for (var t = 0; t < terminals.Length; t++)
            {
                _members[fill[CellOf(terminals[t].X, terminals[t].Y)]++] = t;
            }
        }

        /// <summary>Counts the terminals strictly within the radius of (x, y), writing them to <paramref name="into"/> when it has room.</summary>
        public int Within(double x, double y, Span<int> into)
        {
            var count = 0;
            var (minX, maxX) = (Index(x - _radius), Index(x + _radius));
            var (minY, maxY) = (Index(y - _radius), Index(y + _radius));
            for (var cy = minY; cy <= maxY; cy++)
            {
                for (var cx = minX; cx <= maxX; cx++)
                {
                    var cell = (cy * _side) + cx;
                    for (var i = _cellStart[cell]; i < _cellStart[cell + 1]; i++)
                    {
                        var t = _members[i];
                        var dx = _terminals[t].X - x;
                        var dy = _terminals[t].Y - y;
                        if ((dx * dx) + (dy * dy) < _radiusSquared)
                        {
                            if (count < into.Length)
                            {
                                into[count] = t;
                            }

                            count++;
                        }
                    }
                }
            }

            return count;
        }

        private int CellOf(double x, double y) => (Index(y) * _side) + Index(x);

        private int Index(double coordinate) => Math.Clamp((int)Math.Floor(coordinate / _cell), 0, _side - 1);
    }
}
