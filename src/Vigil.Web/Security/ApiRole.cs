namespace Vigil.Web.Security;

/// <summary>What an API key may do. <see cref="Admin"/> may do everything, <see cref="Analyst"/> what <see cref="View"/> may, the review queue and promoting models; the others only their own routes.</summary>
public enum ApiRole
{
    /// <summary><c>POST /v1/score</c> and <c>/invocations</c>: a payment system asking for decisions.</summary>
    Score,

    /// <summary>The dashboard, <c>/events</c>, <c>/api/status</c>, <c>/v1/model</c> and <c>/metrics</c>: operators watching.</summary>
    View,

    /// <summary>Anything, including what changes state.</summary>
    Admin,

    /// <summary>
    /// Everything <see cref="View"/> may, the review queue: reading cases, assigning and deciding them
    /// (<c>/api/cases</c>), and promoting a model by hand (<c>POST /api/models/{number}/promote</c>). Its keys should
    /// carry a name (<c>analyst:alice=KEY</c>), which the audit trail records.
    /// </summary>
    Analyst,
}
