namespace Vigil.Web.Security;

/// <summary>What an API key may do. <see cref="Admin"/> may do everything; the others only their own routes.</summary>
public enum ApiRole
{
    /// <summary><c>POST /v1/score</c> and <c>/invocations</c>: a payment system asking for decisions.</summary>
    Score,

    /// <summary>The dashboard, <c>/events</c>, <c>/api/status</c>, <c>/v1/model</c> and <c>/metrics</c>: operators watching.</summary>
    View,

    /// <summary>Anything, including what changes state.</summary>
    Admin,
}
