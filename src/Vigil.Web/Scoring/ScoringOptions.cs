using Vigil.Features;

namespace Vigil.Web.Scoring;

/// <summary>What <c>/v1/score</c> takes from a request, and how its live feature state is bounded.</summary>
public sealed record ScoringOptions
{
    /// <summary>
    /// Score the <c>"features"</c> object a request carries instead of computing features (for clients that compute
    /// their own); otherwise such a request is refused, so that no caller can override what the server computes.
    /// </summary>
    public bool SuppliedFeatures { get; init; }

    /// <summary>Bounds on the server's own feature state (entities kept, transactions per entity).</summary>
    public FeatureStateLimits Limits { get; init; } = FeatureStateLimits.Default;

    /// <summary>How far ahead of the server's clock a request's timestamp may be when it updates the server's own state.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(5);
}
