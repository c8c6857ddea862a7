using System.Text;
using Confluent.Kafka;
using Vigil.Kafka.Configuration;
using Vigil.Runtime.Metrics;

namespace Vigil.Kafka.Status;

/// <summary>
/// Reports an instance's status to the status topic every <see cref="Interval"/> and once more when it stops, keyed by
/// the instance (<see cref="InstanceStatus.Key"/>). Best effort: a report the cluster refuses (no such topic, no
/// right to write it) is logged once and dropped; the service goes on without it.
/// </summary>
public sealed class StatusPublisher : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly IProducer<byte[], byte[]> _producer;
    private readonly string _topic;
    private readonly KafkaClients _clients;
    private long _written;
    private long _failed;

    public StatusPublisher(KafkaClients clients, string topic)
    {
        ArgumentNullException.ThrowIfNull(clients);
        (_clients, _topic) = (clients, topic);
        _producer = clients.ReliableProducer("status");
    }

    /// <summary>Reports the brokers acknowledged.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Reports the brokers refused or never acknowledged.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Sends one report; its acknowledgement comes later.</summary>
    public void Publish(InstanceStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(status.Key), Value = InstanceStatusJson.Encode(status) };
        try
        {
            _producer.Produce(_topic, message, Delivered);
        }
        catch (ProduceException<byte[], byte[]> e)
        {
            Refused(e.Error.Reason);
        }
    }

    /// <summary>
    /// Reports <paramref name="status"/> now and every <see cref="Interval"/> until <paramref name="stop"/>; then once
    /// more as stopped, with no tasks (they have moved on), and waits a moment for it to be acknowledged.
    /// </summary>
    public async Task RunAsync(Func<InstanceStatus> status, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(status);
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                Report(status);
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
        }

        Report(() => status() with { Stopped = true, Tasks = [] });
        await Task.Run(() => _producer.Flush(TimeSpan.FromSeconds(5)), CancellationToken.None);
    }

    public void Dispose() => _producer.Dispose();

    /// <summary>Publishes what <paramref name="status"/> says; a report that cannot be made is logged and skipped, never stopping the service.</summary>
    private void Report(Func<InstanceStatus> status)
    {
        try
        {
            Publish(status());
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or KafkaException)
        {
            Refused(e.Message);
        }
    }

    private void Delivered(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            Refused(report.Error.Reason);
        }
        else
        {
            Interlocked.Increment(ref _written);
        }
    }

    private void Refused(string reason)
    {
        if (Interlocked.Increment(ref _failed) == 1)
        {
            _clients.Log.StatusRefused(_topic, reason);
        }
    }
}
