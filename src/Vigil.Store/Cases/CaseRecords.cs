using Vigil.Store.Audit;

namespace Vigil.Store.Cases;

/// <summary>Where a case stands: open until an analyst decides it fraud or genuine.</summary>
public enum CaseStatus
{
    Open,
    Fraud,
    Genuine,
}

/// <summary>How the queue is sorted: riskiest first (the default), newest alert first, most alerts, most money.</summary>
public enum CaseOrder
{
    Priority,
    Newest,
    Alerts,
    Amount,
}

/// <summary>A reason a decision gave: a rule's name and expression, or a model input and its value.</summary>
public sealed record CaseReason(string Code, string Text);

/// <summary>One alert as its case keeps it: the transaction, its parties, the score, the reasons, and the decided record as it was.</summary>
/// <param name="Card">The card (customer) the case is about: alerts on one card join one open case.</param>
public sealed record CaseAlert(string? TransactionId, long AtMs, string Card, string? Terminal, double Amount, double Score, IReadOnlyList<CaseReason> Reasons, string Record);

/// <summary>A case as the queue lists it.</summary>
/// <param name="Priority">The highest score among its alerts: the queue ranks by it.</param>
public sealed record CaseSummary(
    long Id, string Card, CaseStatus Status, long OpenedAtMs, long LastAlertAtMs, int Alerts, double Amount, double Priority,
    string? Assignee, string? DecidedBy, DateTimeOffset? DecidedAt, string? Note);

/// <summary>A case opened: its alerts, the card's other cases, and what was done to it.</summary>
public sealed record CaseDetail(CaseSummary Case, IReadOnlyList<CaseAlert> Alerts, IReadOnlyList<CaseSummary> CardHistory, IReadOnlyList<AuditEntry> Audit);

/// <summary>Which cases the queue shows: a status (none for all), an assignee, the order, and a page.</summary>
public sealed record CaseQuery(CaseStatus? Status = CaseStatus.Open, string? Assignee = null, CaseOrder Order = CaseOrder.Priority, int Limit = 50, int Offset = 0);

/// <summary>Cases by status, over the whole run.</summary>
public sealed record CaseCounts(int Open, int Fraud, int Genuine);

/// <summary>A page of the queue: the cases that match (how many in all), and the counts by status.</summary>
public sealed record CasePage(int Matching, IReadOnlyList<CaseSummary> Cases, CaseCounts Counts);

/// <summary>What an analyst asked cannot be done to the case as it is (decided already).</summary>
public sealed class CaseConflictException(string message) : Exception(message);
