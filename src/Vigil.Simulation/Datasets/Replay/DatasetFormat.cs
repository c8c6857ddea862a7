namespace Vigil.Simulation.Datasets.Replay;

/// <summary>The dataset layouts a replay knows by their columns.</summary>
public enum DatasetFormat
{
    /// <summary>Tell from the header.</summary>
    Auto,

    /// <summary>Vigil's own: <c>transaction_id,timestamp,customer_id,terminal_id,amount,fraud,fraud_scenario</c>.</summary>
    Vigil,

    /// <summary>The Fraud Detection Handbook's: <c>TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,…,TX_FRAUD,TX_FRAUD_SCENARIO</c>.</summary>
    Handbook,

    /// <summary>The ULB credit-card dataset: <c>Time,V1..V28,Amount,Class</c>, Time in seconds from the first transaction.</summary>
    Ulb,

    /// <summary>IEEE-CIS: <c>TransactionID,isFraud,TransactionDT,TransactionAmt,…</c>, with identities in a second file.</summary>
    Ieee,
}
