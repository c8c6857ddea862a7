using System.Globalization;

namespace Vigil.Learning.Training;

/// <summary>
/// How a trainer chooses its model's threshold on held-out scores when F1 is not what the team weighs: the alerts its
/// analysts can review a day, or the cost of a missed fraud against the cost of a review.
/// </summary>
public abstract record ThresholdRule
{
    /// <summary>The threshold (fraud when score ≥ threshold) for these scores, their labels and their event times.</summary>
    public abstract double Choose(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels, ReadOnlySpan<long> timesMs);

    /// <summary>The rule, for people: <c>at most 50 alerts a day</c>.</summary>
    public abstract string Describe();

    /// <summary>At most <paramref name="AlertsPerDay"/> alerts a day, on average over the held-out days.</summary>
    public sealed record Capacity(double AlertsPerDay) : ThresholdRule
    {
        public override double Choose(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels, ReadOnlySpan<long> timesMs) =>
            Thresholds.ForCapacity(scores, timesMs, AlertsPerDay);

        public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"at most {AlertsPerDay:G6} alerts a day");
    }

    /// <summary>The least cost: <paramref name="MissedFraud"/> for each fraud not flagged, <paramref name="Review"/> for each alert.</summary>
    public sealed record Cost(double MissedFraud, double Review) : ThresholdRule
    {
        public override double Choose(ReadOnlySpan<double> scores, ReadOnlySpan<byte> labels, ReadOnlySpan<long> timesMs) =>
            Thresholds.ForCost(scores, labels, MissedFraud, Review);

        public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"the least cost at {MissedFraud:G6} a missed fraud and {Review:G6} a review");
    }
}
