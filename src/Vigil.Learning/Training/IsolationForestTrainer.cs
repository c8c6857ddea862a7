using Vigil.Learning.Data;
using Vigil.Models;

namespace Vigil.Learning.Training;

/// <summary>Grows an <see cref="IsolationForestModel"/> (Liu, Ting and Zhou): random splits on random inputs until rows are alone.</summary>
/// <remarks>
/// Each tree draws ψ rows and grows to depth ⌈log₂ ψ⌉, choosing an input uniformly among those that still vary and a
/// threshold uniformly between their least and greatest value. Labels are not used to grow, only to choose the
/// contamination when none is given. Tree t draws from its own generator (seed, t), so trees grow in parallel.
/// </remarks>
public sealed class IsolationForestTrainer(IsolationForestOptions options)
{
    public IsolationForestModel Train(TrainingSet data, IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (options.Trees < 1 || options.SampleSize < 2)
        {
            throw new ArgumentException("an isolation forest needs at least 1 tree and a sample of at least 2 rows");
        }

        var sampleSize = Math.Min(options.SampleSize, data.Rows);
        if (sampleSize < 2)
        {
            throw new ArgumentException("an isolation forest needs at least 2 rows");
        }

        var maxDepth = (int)Math.Ceiling(Math.Log2(sampleSize));
        var trees = new DecisionTree[options.Trees];
        var done = 0;
        Parallel.For(0, options.Trees, t =>
        {
            var random = new Random(Seeds.For(options.Seed, t));
            var rows = Sample(data.Rows, sampleSize, random);
            trees[t] = Grow(data, rows, maxDepth, random);
            var count = Interlocked.Increment(ref done);
            progress?.Report(new(count, options.Trees, $"tree {count}"));
        });

        var model = new IsolationForestModel(data.Inputs, sampleSize, trees, 1);
        var contamination = options.Contamination ?? (data.Frauds > 0 ? Math.Min(0.5, (double)data.Frauds / data.Rows) : 0.01);
        if (!(contamination > 0 && contamination <= 0.5))
        {
            throw new ArgumentException($"contamination is a share in (0, 0.5], not {contamination}");
        }

        var scores = Scores.Of(model, data);
        Array.Sort(scores);
        var threshold = scores[Math.Clamp((int)Math.Floor(scores.Length * (1 - contamination)), 0, scores.Length - 1)];
        return new IsolationForestModel(data.Inputs, sampleSize, trees, threshold);
    }

    private static int[] Sample(int rows, int count, Random random)
    {
        // Floyd's algorithm: count distinct rows without shuffling them all.
        var chosen = new HashSet<int>();
        for (var j = rows - count; j < rows; j++)
        {
            var t = random.Next(j + 1);
            chosen.Add(chosen.Contains(t) ? j : t);
        }

        var sample = chosen.ToArray();
        Array.Sort(sample);
        return sample;
    }

    private static DecisionTree Grow(TrainingSet data, int[] rows, int maxDepth, Random random)
    {
        var feature = new List<int>();
        var threshold = new List<double>();
        var left = new List<int>();
        var right = new List<int>();
        var value = new List<double>();
        var cover = new List<double>();
        var pending = new Stack<(int Node, int[] Rows, int Depth)>();

        int Add(int[] nodeRows, int depth)
        {
            feature.Add(-1);
            threshold.Add(0);
            left.Add(-1);
            right.Add(-1);
            value.Add(depth);
            cover.Add(nodeRows.Length);
            pending.Push((feature.Count - 1, nodeRows, depth));
            return feature.Count - 1;
        }

        Add(rows, 0);
        var candidates = new List<(int Input, double Min, double Max)>();
        while (pending.TryPop(out var item))
        {
            var (node, nodeRows, depth) = item;
            if (depth >= maxDepth || nodeRows.Length <= 1)
            {
                continue;
            }

            candidates.Clear();
            for (var j = 0; j < data.Width; j++)
            {
                double min = double.PositiveInfinity, max = double.NegativeInfinity;
                foreach (var r in nodeRows)
                {
                    var v = data.Value(r, j);
                    if (!double.IsNaN(v))
                    {
                        min = Math.Min(min, v);
                        max = Math.Max(max, v);
                    }
                }

                if (max > min)
                {
                    candidates.Add((j, min, max));
                }
            }

            if (candidates.Count == 0)
            {
                continue;
            }

            var (input, low, high) = candidates[random.Next(candidates.Count)];
            var cut = low + (random.NextDouble() * (high - low));
            var goLeft = nodeRows.Where(r => !(data.Value(r, input) > cut)).ToArray();
            var goRight = nodeRows.Where(r => data.Value(r, input) > cut).ToArray();
            feature[node] = input;
            threshold[node] = cut;
            left[node] = Add(goLeft, depth + 1);
            right[node] = Add(goRight, depth + 1);
        }

        return new DecisionTree([.. feature], [.. threshold], [.. left], [.. right], [.. value], [.. cover]);
    }
}
