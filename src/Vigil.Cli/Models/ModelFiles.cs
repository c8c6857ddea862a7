using Microsoft.Extensions.Logging;
using Vigil.Cli.Configuration;
using Vigil.Detection;
using Vigil.Features;
using Vigil.Models;

namespace Vigil.Cli.Models;

/// <summary>The detector's model files: loaded at start, then watched; a changed file that loads is swapped in whole.</summary>
/// <remarks>
/// Files are polled (<see cref="FilePoller"/>). An update that does not load, or needs features the running stage does
/// not compute, is rejected with a line saying why, and the models already running go on deciding.
/// </remarks>
public sealed class ModelFiles(string primary, string? shadow)
{
    private (DateTime, long) _primaryStamp;
    private (DateTime, long) _shadowStamp;
    private OnnxOptions _onnx = OnnxOptions.None;

    public DetectionModels Current { get; private set; } = null!;

    /// <summary>Updates swapped in, and updates rejected, since start.</summary>
    public int Swaps { get; private set; }

    public int Rejected { get; private set; }

    /// <summary>Loads both files; either one that cannot be used is a usage error.</summary>
    /// <param name="onnx">The primary model's ONNX input names and threshold, when it is an .onnx file.</param>
    public static ModelFiles? Open(DetectorOptions options, OnnxOptions? onnx = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Model is null)
        {
            return options.ShadowModel is null ? null : throw new UsageException("--shadow-model runs beside a model: give --model too");
        }

        var files = new ModelFiles(options.Model, options.ShadowModel) { _onnx = onnx ?? OnnxOptions.None };
        files._primaryStamp = FilePoller.Stamp(options.Model);
        files._shadowStamp = options.ShadowModel is null ? default : FilePoller.Stamp(options.ShadowModel);
        files.Current = new DetectionModels(ModelFileLoader.Load(options.Model, files._onnx), options.ShadowModel is null ? null : ModelFileLoader.Load(options.ShadowModel));
        return files;
    }

    /// <summary>The feature set with every feature either model needs added.</summary>
    public FeatureSet FeaturesFor(FeatureSet configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        try
        {
            return configured.Including(Current.Primary.Features.Definitions.Concat(Current.Shadow?.Features.Definitions ?? []));
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"the model cannot run with these features: {e.Message}");
        }
    }

    /// <summary>Polls the files until stopped, handing each update that loads and fits <paramref name="available"/> (null: any features) to <paramref name="swap"/>.</summary>
    public async Task WatchAsync(FeatureSet? available, Action<DetectionModels> swap, ILogger log, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(swap);
        ArgumentNullException.ThrowIfNull(log);
        await FilePoller.PollAsync(() => Check(available, swap, log), stop);
    }

    /// <summary>One poll: swaps when a file changed and loads.</summary>
    public void Check(FeatureSet? available, Action<DetectionModels> swap, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(swap);
        ArgumentNullException.ThrowIfNull(log);
        var primaryStamp = FilePoller.Stamp(primary);
        var shadowStamp = shadow is null ? default : FilePoller.Stamp(shadow);
        if (primaryStamp == _primaryStamp && shadowStamp == _shadowStamp)
        {
            return;
        }

        _primaryStamp = primaryStamp;
        _shadowStamp = shadowStamp;
        DetectionModels next;
        try
        {
            next = new DetectionModels(ModelFileLoader.Load(primary, _onnx), shadow is null ? null : ModelFileLoader.Load(shadow));
            var missing = available is null ? null : next.Primary.Features.Definitions.Concat(next.Shadow?.Features.Definitions ?? [])
                .FirstOrDefault(d => available.IndexOf(d.Name) is var at && (at < 0 || available.Definitions[at] != d));
            if (missing is not null)
            {
                throw new UsageException($"it needs feature '{missing}', which this pipeline does not compute (restart with it)");
            }
        }
        catch (UsageException e)
        {
            Rejected++;
            log.ModelRejected(e.Message, Current.Primary.Version);
            return;
        }

        var before = Current;
        Current = next;
        Swaps++;
        swap(next);
        log.ModelSwapped(before.Primary.Version, next.Primary.Version, next.Shadow is null ? string.Empty : $" (shadow {next.Shadow.Version})");
    }
}
