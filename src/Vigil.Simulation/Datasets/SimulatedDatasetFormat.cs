namespace Vigil.Simulation.Datasets;

/// <summary>The columns a simulated dataset is written with.</summary>
public enum SimulatedDatasetFormat
{
    /// <summary>Vigil's names: <c>transaction_id,timestamp,customer_id,terminal_id,amount,fraud,fraud_scenario</c>.</summary>
    Vigil,

    /// <summary>The handbook's raw columns: <c>TRANSACTION_ID,TX_DATETIME,…,TX_FRAUD,TX_FRAUD_SCENARIO</c>.</summary>
    Handbook,
}
