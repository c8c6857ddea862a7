using Vigil.Kafka.Native;

namespace Vigil.Kafka.Tests;

public class LibrdkafkaLoaderTests
{
    [Fact]
    public void A_bundled_copy_beside_the_application_comes_before_the_system_library()
    {
        var candidates = LibrdkafkaLoader.Candidates();

        Assert.StartsWith(AppContext.BaseDirectory, candidates[0], StringComparison.Ordinal);
        Assert.StartsWith(AppContext.BaseDirectory, candidates[1], StringComparison.Ordinal);
        Assert.Equal("librdkafka.so.1", candidates[2]);
    }

    [Fact]
    public void No_loadable_candidate_means_no_library_and_the_error_names_the_package()
    {
        Assert.Null(LibrdkafkaLoader.Load(["/nonexistent/librdkafka.so", "librdkafka-that-does-not-exist.so.9"]));
        Assert.StartsWith("librdkafka not found: install the Debian package librdkafka1", LibrdkafkaLoader.InstallHint, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_candidate_that_loads_wins()
    {
        var loaded = LibrdkafkaLoader.Load(["/nonexistent/librdkafka.so", "librdkafka.so.1", "librdkafka.so"]);

        Assert.NotNull(loaded);
        Assert.Equal("librdkafka.so.1", loaded.Value.Path);
        Assert.Matches(@"^librdkafka \d+\.\d+\.\d+ \(.+\)$", LibrdkafkaLoader.Description);
    }
}
