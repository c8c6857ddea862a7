namespace Vigil.Web.Operations;

/// <summary>Whether a service can do its work now (<c>/readyz</c>), and what it is ready with or waiting for.</summary>
public readonly record struct Readiness(bool Ready, string Detail)
{
    public static Readiness Yes(string detail) => new(true, detail);

    public static Readiness No(string detail) => new(false, detail);
}
