using Vigil.Learning.Data;
using Vigil.Models;

namespace Vigil.Learning.Training;

/// <summary>Scores every row of a training set with a model, in parallel.</summary>
public static class Scores
{
    private const int Block = 4096;

    public static double[] Of(Model model, TrainingSet data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var scores = new double[data.Rows];
        var blocks = (data.Rows + Block - 1) / Block;
        Parallel.For(0, blocks, b =>
        {
            var from = b * Block;
            var count = Math.Min(Block, data.Rows - from);
            model.ScoreRows(data.Values.AsSpan(from * data.Width, count * data.Width), scores.AsSpan(from, count));
        });
        return scores;
    }
}
