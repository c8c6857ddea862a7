namespace Vigil.Simulation.Records;

/// <summary>The names of the fields Vigil writes in transaction and label records, encoded once.</summary>
public static class RecordFields
{
    public static readonly byte[] TransactionId = JsonRecordBuilder.Name("transaction_id");
    public static readonly byte[] Timestamp = JsonRecordBuilder.Name("timestamp");
    public static readonly byte[] CustomerId = JsonRecordBuilder.Name("customer_id");
    public static readonly byte[] TerminalId = JsonRecordBuilder.Name("terminal_id");
    public static readonly byte[] Amount = JsonRecordBuilder.Name("amount");
    public static readonly byte[] Currency = JsonRecordBuilder.Name("currency");

    /// <summary>Ground truth, in label records only: 1 for fraud, 0 for genuine.</summary>
    public static readonly byte[] Fraud = JsonRecordBuilder.Name("fraud");

    /// <summary>Ground truth, in label records only: which simulated scenario made it fraud (0 when genuine).</summary>
    public static readonly byte[] FraudScenario = JsonRecordBuilder.Name("fraud_scenario");
}
