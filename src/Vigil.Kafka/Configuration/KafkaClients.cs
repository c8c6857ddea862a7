using Confluent.Kafka;
using Vigil.Kafka.Native;

namespace Vigil.Kafka.Configuration;

/// <summary>Builds Vigil's Kafka clients: Vigil's settings first, then the user's librdkafka settings on top.</summary>
public sealed class KafkaClients
{
    private readonly KafkaOptions _options;
    private readonly Action<string> _log;

    /// <param name="log">Receives librdkafka's warnings and errors, one line each.</param>
    public KafkaClients(KafkaOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = log ?? (_ => { });
        LibrdkafkaLoader.EnsureLoaded();
    }

    public KafkaOptions Options => _options;

    /// <summary>Reports one line to whoever watches these clients (the command's console, a test's log).</summary>
    public void Report(string line) => _log(line);

    /// <summary>An idempotent producer whose keys land where Kafka's Java client puts them (murmur2).</summary>
    public IProducer<byte[], byte[]> Producer(string purpose)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            ClientId = "vigil-" + purpose,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            BatchNumMessages = 10_000,
            QueueBufferingMaxMessages = 500_000,
            Partitioner = Partitioner.Murmur2Random,

            // Vigil only needs to know whether each record arrived, not to have its bytes handed back.
            DeliveryReportFields = "status",
        };
        return Build(config, c => new ProducerBuilder<byte[], byte[]>(c).SetLogHandler(Log).Build());
    }

    /// <summary>A consumer-group member that commits only what the caller tells it to (no auto-commit).</summary>
    /// <param name="configure">Sets handlers (rebalance, errors) on the builder before the consumer is built.</param>
    public IConsumer<byte[], byte[]> Consumer(
        string purpose, string groupId, Action<ConsumerBuilder<byte[], byte[]>>? configure = null, AutoOffsetReset reset = AutoOffsetReset.Earliest)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            ClientId = "vigil-" + purpose,
            GroupId = groupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = reset,
            EnablePartitionEof = false,

            // Decisions are wanted within milliseconds: an idle fetch returns after 10 ms instead of librdkafka's 500
            // (brokers answer at once when records are waiting; some, like the mock, wait the whole time).
            FetchWaitMaxMs = 10,
        };
        return Build(config, c =>
        {
            var builder = new ConsumerBuilder<byte[], byte[]>(c).SetLogHandler(Log);
            configure?.Invoke(builder);
            return builder.Build();
        });
    }

    /// <summary>
    /// Connects a producer to the brokers that lead <paramref name="topics"/> before the first record: a fresh client
    /// otherwise spends its first second finding them, and every record written meanwhile waits.
    /// </summary>
    public static void Prime(IProducer<byte[], byte[]> producer, IEnumerable<string> topics, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(topics);
        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        foreach (var topic in topics)
        {
            try
            {
                admin.GetMetadata(topic, timeout);
            }
            catch (KafkaException e)
            {
                throw new KafkaSetupException($"cannot reach the Kafka cluster at {producer.Name}: {e.Error.Reason}", e);
            }
        }
    }

    /// <summary>Builds a client, turning librdkafka's refusal of a setting into one clear line.</summary>
    public T Build<T>(ClientConfig config, Func<ClientConfig, T> build)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(build);
        Apply(config);
        try
        {
            return build(config);
        }
        catch (ArgumentException e)
        {
            throw new KafkaSetupException($"invalid Kafka setting: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new KafkaSetupException($"invalid Kafka setting: {e.Message}", e);
        }
        catch (KafkaException e)
        {
            throw new KafkaSetupException($"invalid Kafka setting: {e.Error.Reason}", e);
        }
    }

    private void Apply(ClientConfig config)
    {
        foreach (var (name, value) in _options.Settings)
        {
            config.Set(name, value);
        }
    }

    private void Log<TClient>(TClient client, LogMessage message)
    {
        if (message.Level <= SyslogLevel.Warning)
        {
            _log($"kafka {message.Level.ToString().ToLowerInvariant()}: {message.Message}");
        }
    }
}
