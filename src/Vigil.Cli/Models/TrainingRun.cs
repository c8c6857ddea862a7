using Spectre.Console;
using Vigil.Cli.Terminal;
using Vigil.Features;
using Vigil.Learning.Data;
using Vigil.Learning.Training;
using Vigil.Models;

namespace Vigil.Cli.Models;

/// <summary>Trains one model on the terminal, with a progress bar fed by the trainer (iterations or trees).</summary>
public static class TrainingRun
{
    public static async Task<Model> TrainAsync(
        TrainingOptions options, TrainingSet rows, FeatureSet features, string description, IAnsiConsole console, bool live, CancellationToken stop)
    {
        var latest = new TrainingProgress(0, 1, "starting");

        // The trainer reports through a callback on its own threads; the display only reads the latest value.
        var reporter = new SynchronousProgress(p => latest = p);
        var training = Task.Run(() => ModelTrainer.Train(options, rows, features, description, reporter, stop), CancellationToken.None);
        await ProgressDisplay.ShowAsync(console, live, training, () => latest.Total == 0 ? 1 : Math.Min(1, (double)latest.Done / latest.Total),
            () => $"{options.Kind.Name()}: {latest.Status}");
        try
        {
            return await training;
        }
        catch (ArgumentException e)
        {
            throw new Configuration.UsageException($"cannot train: {e.Message}");
        }
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
