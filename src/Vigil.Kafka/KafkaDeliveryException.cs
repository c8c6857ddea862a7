namespace Vigil.Kafka;

/// <summary>
/// The brokers did not acknowledge a record within librdkafka's retries, or records were gone before they were read:
/// work stops so that nothing is lost or computed wrong.
/// </summary>
public sealed class KafkaDeliveryException(string message, Exception? inner = null) : Exception(message, inner);
