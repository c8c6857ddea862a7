using Vigil.Kafka.Configuration;
using Vigil.Kafka.Sources;
using Vigil.Runtime.Pipeline;

namespace Vigil.Kafka.Features;

/// <summary>A group member's writers, shared by its tasks: one to the repartition topic, one to the featured topic (refused records to the dead letters).</summary>
internal sealed record MemberOutputs(MemberWriter Repartition, MemberWriter Featured) : IAsyncDisposable
{
    public static MemberOutputs Open(KafkaClients clients, TopicOptions topics)
    {
        var repartition = new MemberWriter(new KafkaRecordWriter(clients, topics.Repartition));
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
