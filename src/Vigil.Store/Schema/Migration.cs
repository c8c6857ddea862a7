namespace Vigil.Store.Schema;

/// <summary>One step of the database's schema: applied once, in order, in a transaction, and recorded.</summary>
/// <param name="Version">Its place in the order, from 1; a database records the highest it has.</param>
/// <param name="Name">What it does, in a few words, as <c>schema_migrations</c> records it.</param>
/// <param name="Sql">The statements, separated by semicolons.</param>
public sealed record Migration(int Version, string Name, string Sql);
