using Vigil.Cli.Configuration;

namespace Vigil.Cli.Models;

/// <summary>
/// What an .onnx model's file may not say: the names of its one input's values (<c>--onnx-inputs</c>) and its threshold
/// (<c>--onnx-threshold</c>), over its <c>vigil.inputs</c> and <c>vigil.threshold</c> metadata. They apply to the
/// primary model; a shadow ONNX model uses its metadata.
/// </summary>
public sealed record OnnxOptions(IReadOnlyList<string>? Inputs, double? Threshold)
{
    public static readonly OnnxOptions None = new(null, null);

    public bool Given => Inputs is not null || Threshold is not null;

    public static OnnxOptions Read(LayeredConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        var inputs = read.List("Model:OnnxInputs");
        return new OnnxOptions(
            inputs.Count == 0 ? null : inputs,
            configuration["Model:OnnxThreshold"] is null ? null : read.Number("Model:OnnxThreshold", 0.5, 0, 1, "a score from 0 to 1"));
    }
}
