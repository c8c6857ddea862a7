using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Kafka.Native;
using Vigil.Runtime.Topics;

namespace Vigil.Kafka.Configuration;

/// <summary>Builds Vigil's Kafka clients: Vigil's settings first, then the user's librdkafka settings on top.</summary>
public sealed class KafkaClients
{
    private readonly KafkaOptions _options;
    private readonly ILogger _log;

    /// <param name="log">Receives librdkafka's warnings and errors, and what the clients report; none when null.</param>
    public KafkaClients(KafkaOptions options, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = log ?? NullLogger.Instance;
        LibrdkafkaLoader.EnsureLoaded();
    }

    public KafkaOptions Options => _options;

    /// <summary>
    /// Makes, for each reader, what turns records read into the stages' embedded topics (the feature service's inputs,
    /// the dashboard's) into JSON: Avro with a schema registry. None for JSON topics.
    /// </summary>
    public Func<IValueTranscoder>? Transcoders { get; init; }

    /// <summary>Where these clients and what is built on them log (the command's console, a test's log).</summary>
    public ILogger Log => _log;

    /// <summary>An idempotent producer whose keys land where Kafka's Java client puts them (murmur2).</summary>
    /// <param name="onDelivered">Called, on the thread that polls, with each record's number and error code (0 = acknowledged).</param>
    /// <param name="maxInFlight">Records produced and not yet acknowledged before producing waits: what a lost cluster can leave unwritten.</param>
    public NativeProducer Producer(string purpose, DeliveryHandler onDelivered, int maxInFlight = 500_000)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = _options.BootstrapServers,
            ["client.id"] = "vigil-" + purpose,
            ["enable.idempotence"] = "true",
            ["acks"] = "all",
            ["linger.ms"] = "5",
            ["batch.num.messages"] = "10000",
            ["queue.buffering.max.messages"] = maxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["partitioner"] = "murmur2_random",
        };
        return new NativeProducer(WithUserSettings(settings), onDelivered, _log);
    }

    /// <summary>A member of <see cref="KafkaOptions.GroupId"/> reading <paramref name="topic"/> in batches, committing only what it is told to.</summary>
    public NativeConsumer GroupMember(string purpose, string topic, IRebalanceListener listener)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = _options.BootstrapServers,
            ["client.id"] = "vigil-" + purpose,
            ["group.id"] = _options.GroupId,
            ["enable.auto.commit"] = "false",
            ["enable.auto.offset.store"] = "false",
            ["auto.offset.reset"] = "earliest",
            ["enable.partition.eof"] = "false",

            // Decisions are wanted within milliseconds: an idle fetch returns after 10 ms instead of librdkafka's 500
            // (brokers answer at once when records are waiting; some, like the mock, wait the whole time).
            ["fetch.wait.max.ms"] = "10",
        };
        foreach (var (name, value) in GroupSettings)
        {
            settings[name] = value;
        }

        return new NativeConsumer(WithUserSettings(settings), topic, listener, _log);
    }

    /// <summary>A Confluent.Kafka consumer that commits only what the caller tells it to (no auto-commit).</summary>
    /// <param name="configure">Sets handlers (rebalance, errors) on the builder before the consumer is built.</param>
    /// <param name="settings">Changes Vigil's settings (the assignment strategy) before the user's go on top.</param>
    public IConsumer<byte[], byte[]> Consumer(
        string purpose, string groupId, Action<ConsumerBuilder<byte[], byte[]>>? configure = null, AutoOffsetReset reset = AutoOffsetReset.Earliest,
        Action<ConsumerConfig>? settings = null)
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
        foreach (var (name, value) in GroupSettings)
        {
            config.Set(name, value);
        }

        settings?.Invoke(config);
        return Build(config, c =>
        {
            var builder = new ConsumerBuilder<byte[], byte[]>(c).SetLogHandler(OnClientLog);
            configure?.Invoke(builder);
            return builder.Build();
        });
    }

    /// <summary>A Confluent.Kafka producer for records that must not be lost or doubled (idempotent, acks from every replica).</summary>
    public IProducer<byte[], byte[]> ReliableProducer(string purpose)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            ClientId = "vigil-" + purpose,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        };
        return Build(config, c => new ProducerBuilder<byte[], byte[]>(c).SetLogHandler(OnClientLog).Build());
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

    /// <summary>
    /// How a member that dies (kill -9, a lost machine) is noticed: after 10 s without a heartbeat, sent every second,
    /// its partitions go to the others (librdkafka's default waits 45 s). Shorter would also move partitions away from a
    /// member that merely paused; the brokers allow no less than 6 s (group.min.session.timeout.ms). With
    /// <see cref="KafkaOptions.InstanceId"/> a restarted member takes its partitions back at once.
    /// </summary>
    private IEnumerable<KeyValuePair<string, string>> GroupSettings
    {
        get
        {
            yield return new("session.timeout.ms", "10000");
            yield return new("heartbeat.interval.ms", "1000");
            if (_options.InstanceId is { } instance)
            {
                yield return new("group.instance.id", instance);
            }
        }
    }

    /// <summary>Vigil's settings with the user's on top: the user's win.</summary>
    private Dictionary<string, string> WithUserSettings(Dictionary<string, string> settings)
    {
        foreach (var (name, value) in _options.Settings)
        {
            settings[name] = value;
        }

        return settings;
    }

    private void Apply(ClientConfig config)
    {
        foreach (var (name, value) in _options.Settings)
        {
            config.Set(name, value);
        }
    }

    private void OnClientLog<TClient>(TClient client, LogMessage message)
    {
        var level = message.Level <= SyslogLevel.Error ? LogLevel.Error : LogLevel.Warning;
        if (message.Level <= SyslogLevel.Warning && _log.IsEnabled(level))
        {
            _log.Client(level, message.Level.ToString().ToLowerInvariant(), message.Message);
        }
    }
}
