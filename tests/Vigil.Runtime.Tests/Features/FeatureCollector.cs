using System.Text.Json;
using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Tests.Features;

/// <summary>Reads decided records from output topics and keeps each transaction's features by transaction id.</summary>
internal sealed class FeatureCollector
{
    private readonly List<Task> _reading = [];

    public Dictionary<long, Dictionary<string, double?>> Features { get; } = [];

    public int Duplicates { get; private set; }

    /// <summary>Records read, kept or not.</summary>
    public int Read { get; private set; }

    private Func<long, bool> _keep = _ => true;

    /// <summary>Collects from <paramref name="topics"/>, keeping the features of the transactions <paramref name="keep"/> picks (all by default).</summary>
    public static FeatureCollector Attach(Func<long, bool>? keep, params Topic[] topics)
    {
        var collector = new FeatureCollector { _keep = keep ?? (_ => true) };
        foreach (var topic in topics)
        {
            foreach (var subscription in topic.Subscribe("test-features"))
            {
                collector._reading.Add(Task.Run(() => collector.ReadAsync(subscription)));
            }
        }

        return collector;
    }

    public Task Completion => Task.WhenAll(_reading);

    private async Task ReadAsync(Subscription subscription)
    {
        await foreach (var batch in subscription.Reader.ReadAllAsync())
        {
            for (var i = 0; i < batch.Count; i++)
            {
                using var record = JsonDocument.Parse(batch.ValueMemory(i));
                var id = record.RootElement.GetProperty("transaction_id").GetInt64();
                lock (Features)
                {
                    Read++;
                }

                if (!_keep(id))
                {
                    continue;
                }

                var features = record.RootElement.GetProperty("features").EnumerateObject()
                    .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Null ? (double?)null : p.Value.GetDouble());
                lock (Features)
                {
                    Duplicates += Features.TryAdd(id, features) ? 0 : 1;
                }
            }

            subscription.Complete(batch);
        }
    }
}
