using Vigil.Store.Cases;

namespace Vigil.Cases;

/// <summary>
/// The review queue over a run's cases: what analysts list, open, assign and decide. The team's capacity (cases a
/// day) marks how far down the ranked queue today's work goes; cases beyond it stay in the queue, ranked below, never
/// dropped. A verdict is handed on at once (<see cref="Verdicts"/>): it is a label that needs no waiting.
/// </summary>
public sealed class CaseReview(CaseStore store)
{
    private long _fraud;
    private long _genuine;

    /// <summary>Cases the team reviews a day; null when not set.</summary>
    public int? Capacity { get; init; }

    /// <summary>Where a decided case's alerts go as labels (the labels stream, with the analyst's name); none when null.</summary>
    public IVerdictSink? Verdicts { get; init; }

    public CaseStore Store => store;

    /// <summary>Verdicts given through this queue since it started: (fraud, genuine).</summary>
    public (long Fraud, long Genuine) Given => (Interlocked.Read(ref _fraud), Interlocked.Read(ref _genuine));

    public CasePage List(CaseQuery query) => store.Queue(query);

    public CaseDetail? Find(long id) => store.Find(id);

    public CaseSummary Assign(long id, string? assignee, string actor) => store.Assign(id, assignee, actor);

    /// <summary>Decides the case and hands its alerts on as labels: each with the case's verdict, or what <paramref name="alertTruth"/> says of it.</summary>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    /// <exception cref="CaseConflictException">Decided already.</exception>
    public CaseSummary Decide(long id, bool fraud, string? note, string actor, Func<CaseAlert, bool>? alertTruth = null)
    {
        var (decided, alerts) = store.Decide(id, fraud, note, actor);
        Interlocked.Increment(ref fraud ? ref _fraud : ref _genuine);
        Verdicts?.Publish(decided, alerts, alertTruth);
        return decided;
    }
}

/// <summary>Receives analysts' verdicts: each alert of a decided case, with the case (its status says fraud or genuine, and who decided).</summary>
public interface IVerdictSink
{
    /// <param name="alertTruth">Each alert's own verdict, where the reviewer knew it apart from the case's (simulated investigators); null: the case's.</param>
    void Publish(CaseSummary decided, IReadOnlyList<CaseAlert> alerts, Func<CaseAlert, bool>? alertTruth = null);
}
