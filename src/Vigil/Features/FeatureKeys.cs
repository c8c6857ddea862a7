using Vigil.Transactions;

namespace Vigil.Features;

/// <summary>The entities a transaction's features read: its customer and its terminal, as 64-bit keys.</summary>
public static class FeatureKeys
{
    /// <summary>The customer (<c>customer_id</c>, else the seed's <c>source</c>) and the terminal (<c>terminal_id</c>, else <c>target</c>); null when absent.</summary>
    public static (long? Customer, long? Terminal) Of(Transaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var customer = transaction.CustomerId.IsPresent ? transaction.CustomerId : transaction.Source;
        var terminal = transaction.TerminalId.IsPresent ? transaction.TerminalId : transaction.Target;
        return (
            customer.IsPresent ? TransactionKey.Of(transaction.Raw(customer)) : null,
            terminal.IsPresent ? TransactionKey.Of(transaction.Raw(terminal)) : null);
    }
}
