using Vigil.Kafka.Native;

namespace Vigil.Kafka.Tests;

public class LibrdkafkaLoaderTests
{
    [Fact]
    public void By_default_the_bundled_builds_come_first_with_gssapi_then_without_then_the_system_s()
    {
        var candidates = LibrdkafkaLoader.Candidates();

        Assert.EndsWith("/native/librdkafka.so", candidates[0], StringComparison.Ordinal);
        Assert.EndsWith("/native/centos8-librdkafka.so", candidates[1], StringComparison.Ordinal);
        Assert.All(candidates.Take(4), c => Assert.StartsWith(AppContext.BaseDirectory, c, StringComparison.Ordinal));
        Assert.Equal(["librdkafka.so.1", "librdkafka.so"], candidates.Skip(4));
        Assert.Equal(candidates, LibrdkafkaLoader.Candidates("bundled"));
    }

    [Fact]
    public void Choosing_the_system_s_puts_it_first_and_a_path_is_the_only_candidate()
    {
        Assert.Equal("librdkafka.so.1", LibrdkafkaLoader.Candidates("system")[0]);
        Assert.Equal(["/opt/kafka/lib/librdkafka.so"], LibrdkafkaLoader.Candidates(" /opt/kafka/lib/librdkafka.so "));
    }

    [Fact]
    public void The_bundled_copy_loads_on_this_machine_without_any_package_and_the_startup_line_says_which_build()
    {
        var (loaded, failures) = LibrdkafkaLoader.Load(LibrdkafkaLoader.Candidates("bundled"));

        Assert.NotNull(loaded);
        Assert.StartsWith(AppContext.BaseDirectory, loaded.Value.Path, StringComparison.Ordinal);
        Assert.Matches(@"^librdkafka 2\.16\.\d+ \(bundled", LibrdkafkaLoader.Description);

        // Debian 12 has no libsasl2.so.3, so the build with GSSAPI does not load here and the one without it does; a
        // machine that has it loads the first.
        if (!File.Exists("/usr/lib/x86_64-linux-gnu/libsasl2.so.3"))
        {
            Assert.EndsWith("centos8-librdkafka.so", loaded.Value.Path, StringComparison.Ordinal);
            Assert.Contains("libsasl2.so.3", Assert.Single(failures), StringComparison.Ordinal);
            Assert.StartsWith("bundled, without GSSAPI: runtimes/", LibrdkafkaLoader.Describe(loaded.Value.Path), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Nothing_that_loads_gives_one_line_with_the_first_reason_and_what_to_do()
    {
        var (loaded, failures) = LibrdkafkaLoader.Load(["/nonexistent/librdkafka.so", "librdkafka-that-does-not-exist.so.9"]);

        Assert.Null(loaded);
        Assert.Equal(2, failures.Count);
        Assert.Equal("/nonexistent/librdkafka.so: no such file", failures[0]);
        var bundled = LibrdkafkaLoader.NotFound(null, failures);
        Assert.StartsWith("librdkafka could not be loaded (/nonexistent/librdkafka.so: no such file; 1 more tried): ", bundled, StringComparison.Ordinal);
        Assert.Contains("apt-get install librdkafka1", bundled, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', bundled);
        var chosen = LibrdkafkaLoader.NotFound("/nonexistent/librdkafka.so", failures[..1]);
        Assert.StartsWith("librdkafka could not be loaded from /nonexistent/librdkafka.so, which VIGIL_LIBRDKAFKA names", chosen, StringComparison.Ordinal);
    }

    /// <remarks>Debian's librdkafka1 comes with kcat, which test.sh installs for the interop tests.</remarks>
    [Fact]
    public void The_system_s_library_still_loads_when_chosen()
    {
        var (loaded, _) = LibrdkafkaLoader.Load(LibrdkafkaLoader.Candidates("system"));

        Assert.NotNull(loaded);
        Assert.Equal("librdkafka.so.1", loaded.Value.Path);
        Assert.Equal("the system's librdkafka.so.1", LibrdkafkaLoader.Describe(loaded.Value.Path));
    }
}
