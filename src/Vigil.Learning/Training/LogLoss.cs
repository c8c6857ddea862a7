namespace Vigil.Learning.Training;

/// <summary>The logistic loss of a margin (log-odds) for a label, computed without overflow.</summary>
internal static class LogLoss
{
    /// <summary>log(1 + e^−z) for fraud, log(1 + e^z) otherwise.</summary>
    public static double Of(double margin, bool fraud)
    {
        var z = fraud ? -margin : margin;
        return Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
    }
}
