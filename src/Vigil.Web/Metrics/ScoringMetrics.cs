using System.Globalization;
using Vigil.Runtime.Metrics;
using Vigil.Web.Scoring;

namespace Vigil.Web.Metrics;

/// <summary>The scoring routes' metrics (<c>vigil serve</c>, the dashboard's scoring routes): answers by outcome, scores, refused requests.</summary>
public static class ScoringMetrics
{
    public static void Add(ServiceMetrics metrics, TransactionScorer scorer, ScoringEndpoints endpoints)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(endpoints);
        metrics.Counter("vigil_scored_total", "Transactions and rows scored on /v1/score and /invocations, by outcome", ["outcome"],
            () => [(["legit"], scorer.Passed), (["fraud"], scorer.Flagged)]);
        metrics.Histogram("vigil_score", "Scores answered: the model's probability, or the rules' score above it", PipelineMetrics.ScoreBounds,
            () => (scorer.Tally.ScoresBetween(PipelineMetrics.ScoreBounds), 1));
        metrics.Counter("vigil_scoring_refused_total", "Scoring requests refused, by HTTP status (400 bad body, 413 too large, 415 wrong content type)", ["status"],
            () => endpoints.Refused().Select(r => (new[] { r.Status.ToString(CultureInfo.InvariantCulture) }, (double)r.Count)));
    }
}
