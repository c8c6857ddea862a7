namespace Vigil.Detection;

/// <summary>Settings of the detection core, bound by the host from configuration (section <c>Detector</c>).</summary>
public sealed class DetectorOptions
{
    /// <summary>
    /// Transactions of this amount or more are fraud; null lets the host choose: the seed's 900, or the simulator's
    /// scenario-1 bound of 220 when the host generates simulated transactions itself.
    /// </summary>
    public double? AmountThreshold { get; set; }

    /// <summary>A model file (<c>vigil train</c>) that scores with the rules; replacing the file swaps the model live.</summary>
    public string? Model { get; set; }

    /// <summary>A rules file (YAML) replacing the amount rule; editing it swaps the rules live.</summary>
    public string? Rules { get; set; }

    /// <summary>A second model file, scored and reported on every decision but not deciding.</summary>
    public string? ShadowModel { get; set; }
}
