namespace Vigil.Learning.Training;

/// <summary>Per-tree random seeds derived from the run's seed; the same in every process (unlike <see cref="HashCode"/>, which is salted per process).</summary>
internal static class Seeds
{
    public static int For(int seed, int tree)
    {
        // SplitMix64's finalizer over the pair: nearby trees get unrelated streams.
        var z = ((ulong)(uint)seed << 32) | (uint)tree;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }
}
