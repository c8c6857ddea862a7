namespace Vigil.Simulation.Randomness;

/// <summary>xoshiro256** (Blackman and Vigna): a fast, seedable generator, so a seed replays the same stream.</summary>
public sealed class Xoshiro256
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Xoshiro256(ulong seed) => Reseed(seed);

    /// <summary>Restarts the generator as if it had just been created with <paramref name="seed"/>.</summary>
    /// <remarks>Lets one instance serve many short independent streams (one per customer and day) without allocating.</remarks>
    public void Reseed(ulong seed)
    {
        // SplitMix64 spreads any seed, 0 included, over the four state words.
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    /// <summary>A seed for an independent stream, derived from a base seed and up to three coordinates.</summary>
    /// <remarks>
    /// Counter-based: the stream for (customer 17, day 42) is the same whatever was drawn before it, so any part of a
    /// simulation can be generated on its own, in any order, and still be exactly the same.
    /// </remarks>
    public static ulong StreamSeed(ulong seed, ulong stream, ulong a = 0, ulong b = 0)
    {
        var state = seed ^ (stream * 0xD1B54A32D192ED03);
        var h = SplitMix(ref state);
        state = h ^ (a * 0x8CB92BA72F3D8DD7);
        h = SplitMix(ref state);
        state = h ^ (b * 0xABC98388FB8FAC03);
        return SplitMix(ref state);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>), without modulo bias (Lemire's method).</summary>
    public ulong NextBelow(ulong bound)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bound);
        var high = Math.BigMul(NextUInt64(), bound, out var low);
        if (low < bound)
        {
            var threshold = (0 - bound) % bound;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), bound, out low);
            }
        }

        return high;
    }

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>], both included.</summary>
    public long NextInclusive(long min, long max) => min + (long)NextBelow((ulong)(max - min) + 1);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in (0, 1], for logarithms.</summary>
    public double NextDoubleNonZero() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double NextUniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Two independent standard normal values (Box–Muller).</summary>
    public void NextNormalPair(out double first, out double second)
    {
        var radius = Math.Sqrt(-2 * Math.Log(NextDoubleNonZero()));
        var (sin, cos) = Math.SinCos(2 * Math.PI * NextDouble());
        first = radius * cos;
        second = radius * sin;
    }

    /// <summary>A Poisson draw with mean λ, given e^−λ (Knuth's method: fast for the small means of daily counts).</summary>
    public int NextPoisson(double expMinusMean)
    {
        var count = 0;
        var product = NextDouble();
        while (product > expMinusMean)
        {
            count++;
            product *= NextDouble();
        }

        return count;
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
