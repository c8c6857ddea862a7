namespace Vigil.Kafka;

/// <summary>Kafka cannot be used as configured (librdkafka missing, bad client settings); the message says what to do.</summary>
public sealed class KafkaSetupException(string message, Exception? inner = null) : Exception(message, inner);
