using Vigil.Kafka.Configuration;
using Vigil.Kafka.Sources;
using Vigil.Runtime.Pipeline;

namespace Vigil.Kafka.Features;

/// <summary>
/// A group member's writers, shared by its tasks: one to the repartition topic, one to the featured topic. Records the
/// brokers refuse for their own sake (too large) go, cut, to the dead letters with the reason, from either: a cut record
/// on the repartition topic would reach a terminal task as a transaction whose JSON ends half-way.
/// </summary>
internal sealed record MemberOutputs(MemberWriter Repartition, MemberWriter Featured) : IAsyncDisposable
{
    public static MemberOutputs Open(KafkaClients clients, TopicOptions topics)
    {
        var repartition = new MemberWriter(new KafkaRecordWriter(clients, topics.Repartition, topics.DeadLetter));
        try
        {
            return new MemberOutputs(repartition, new MemberWriter(new KafkaRecordWriter(clients, topics.Featured, topics.DeadLetter)));
        }
        catch
        {
            repartition.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Repartition.DisposeAsync();
        await Featured.DisposeAsync();
    }
}
