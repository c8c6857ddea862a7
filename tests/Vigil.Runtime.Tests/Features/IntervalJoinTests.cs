using System.Text;
using Vigil.Runtime.Features;

namespace Vigil.Runtime.Tests.Features;

public class IntervalJoinTests
{
    private static readonly long Start = new DateTimeOffset(2018, 4, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static byte[] Identity(long id, int secondsAfterStart) =>
        Encoding.UTF8.GetBytes($$"""{"transaction_id":{{id}},"timestamp":"{{DateTimeOffset.FromUnixTimeMilliseconds(Start + (secondsAfterStart * 1000L)):yyyy-MM-ddTHH:mm:ssZ}}","DeviceType":"mobile"}""");

    [Fact]
    public void A_transaction_joins_the_identity_of_its_id_within_the_bound_and_only_once()
    {
        var join = new IntervalJoin(TimeSpan.FromMinutes(1));
        join.Add(Identity(1, 0));
        join.Add(Identity(2, 0));

        Assert.NotNull(join.Match(1, Start + 60_000)); // exactly the bound apart
        Assert.Null(join.Match(1, Start)); // taken already
        Assert.Null(join.Match(2, Start + 60_001)); // further apart than the bound
        Assert.Null(join.Match(3, Start)); // none with that id
        Assert.Equal((1, 3), (join.Joined, join.Unmatched));
    }

    [Fact]
    public void Identities_expire_once_the_watermark_passes_their_time_plus_the_bound()
    {
        var join = new IntervalJoin(TimeSpan.FromMinutes(1));
        join.Add(Identity(1, 0));
        join.Add(Identity(2, 100));
        join.Add(Encoding.UTF8.GetBytes("""{"transaction_id":3}"""));

        join.Expire(Start + 60_000);
        Assert.Equal(2, join.Waiting.Count);
        join.Expire(Start + 60_001);

        Assert.Equal(1, join.Expired);
        Assert.Equal(1, join.Invalid);
        Assert.Equal([2L], join.Waiting.Keys);
        Assert.NotNull(join.Match(2, Start + 100_000));
    }
}
