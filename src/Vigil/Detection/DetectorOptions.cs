namespace Vigil.Detection;

/// <summary>Settings of the detection core, bound by the host from configuration (section <c>Detector</c>).</summary>
public sealed class DetectorOptions
{
    /// <summary>
    /// Transactions of this amount or more are fraud; null lets the host choose: the seed's 900, or the simulator's
    /// scenario-1 bound of 220 when the host generates simulated transactions itself.
    /// </summary>
    public double? AmountThreshold { get; set; }
}
