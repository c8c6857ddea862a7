namespace Vigil.Web.Security;

/// <summary>Who a key belongs to: its role, and the name it was given (<c>analyst:alice=KEY</c>), if any.</summary>
public readonly record struct ApiIdentity(ApiRole Role, string? Name)
{
    /// <summary>How the audit trail names whoever acted without a key: the server took none (loopback only, or --insecure).</summary>
    public const string Local = "local";

    /// <summary>The name, or the role's key when the key has none (<c>admin key</c>).</summary>
    public string Actor => Name ?? $"{ApiAccess.Name(Role)} key";

    /// <summary><c>role</c> or <c>role:name</c>, as keys are written.</summary>
    public override string ToString() => Name is null ? ApiAccess.Name(Role) : $"{ApiAccess.Name(Role)}:{Name}";
}
