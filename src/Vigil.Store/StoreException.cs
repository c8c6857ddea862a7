namespace Vigil.Store;

/// <summary>The database cannot be used: not a database, a schema from a newer Vigil, a failed migration. The message says which, for one line.</summary>
public sealed class StoreException : Exception
{
    public StoreException()
    {
    }

    public StoreException(string message)
        : base(message)
    {
    }

    public StoreException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
