namespace Vigil.Kafka;

/// <summary>The brokers did not acknowledge a record within librdkafka's retries: work stops so that nothing is lost.</summary>
public sealed class KafkaDeliveryException(string message) : Exception(message);
