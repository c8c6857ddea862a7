using System.Text;
using Vigil.Runtime.Sources;
using Vigil.Store.Cases;
using Vigil.Transactions;

namespace Vigil.Cases;

/// <summary>
/// Simulated investigators (<c>--investigators K</c>): at the start of each day of event time they review the K
/// riskiest open cases and know their truth, as the Fraud Detection Handbook's Card Precision@K assumes; a case is
/// fraud when any of its alerts was. Their verdicts go through the queue like an analyst's (labels at once, audit trail,
/// actor <see cref="Actor"/>). A stop of the source (<see cref="IEventTimeBarrier"/>), ahead of another barrier (the
/// retraining loop's) it passes on.
/// </summary>
/// <param name="caughtUp">Whether detection and the case intake have taken everything published: reviews wait for it (at most 30 s).</param>
public sealed class SimulatedInvestigators(CaseReview review, GroundTruth truth, int perDay, Func<bool> caughtUp, IEventTimeBarrier? next = null) : IEventTimeBarrier
{
    public const string Actor = "investigator";

    private const long Day = 86_400_000;
    private long _nextDayMs = long.MinValue;

    /// <summary>Days reviewed.</summary>
    public int Days { get; private set; }

    /// <summary>Cases decided: fraud, genuine; cases left open for want of their alerts' truth.</summary>
    public (int Fraud, int Genuine, int Unknown) Decided { get; private set; }

    public long NextMs => Math.Min(_nextDayMs, next?.NextMs ?? long.MaxValue);

    public async ValueTask ReachedAsync(long eventTimeMs, long labelsReleased, CancellationToken cancel)
    {
        if (eventTimeMs >= _nextDayMs)
        {
            if (_nextDayMs != long.MinValue)
            {
                for (var i = 0; i < 3000 && !caughtUp(); i++)
                {
                    await Task.Delay(10, cancel);
                }

                Review();
            }

            _nextDayMs = ((eventTimeMs / Day) + 1) * Day;
        }

        if (next is not null && eventTimeMs >= next.NextMs)
        {
            await next.ReachedAsync(eventTimeMs, labelsReleased, cancel);
        }
    }

    private void Review()
    {
        var (fraud, genuine, unknown) = Decided;
        foreach (var open in review.List(new CaseQuery(CaseStatus.Open, Limit: perDay)).Cases)
        {
            var truths = review.Find(open.Id)!.Alerts.Select(Truth).ToList();
            if (truths.All(t => t is null))
            {
                unknown++;
                continue;
            }

            var isFraud = truths.Any(t => t == true);
            // Each alert is labelled with its own truth: the investigator knows which of the card's payments were fraud.
            review.Decide(open.Id, isFraud, "simulated investigator: knows the card's truth", Actor, a => Truth(a) ?? isFraud);
            (fraud, genuine) = isFraud ? (fraud + 1, genuine) : (fraud, genuine + 1);
        }

        Decided = (fraud, genuine, unknown);
        Days++;
    }

    private bool? Truth(CaseAlert alert) => alert.TransactionId is { } id ? truth.IsFraud(TransactionKey.Of(Encoding.UTF8.GetBytes(id))) : null;
}
