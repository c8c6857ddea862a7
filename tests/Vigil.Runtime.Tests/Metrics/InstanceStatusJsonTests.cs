using System.Text;
using Vigil.Runtime.Metrics;
using Vigil.Testing;

namespace Vigil.Runtime.Tests.Metrics;

public sealed class InstanceStatusJsonTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-12-04T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_report_comes_back_as_written()
    {
        var status = new InstanceStatus("features", "vigil-features", "member-1", At, 12_345,
            [new TaskState("0", "running", 17, RestoreSeconds: 0.25), new TaskState("3", "restoring", 0, RestoreShare: 0.5)])
        {
            Stopped = false,
        };

        Assert.True(InstanceStatusJson.TryRead(InstanceStatusJson.Encode(status), out var read, out var error), error);

        Assert.Equal((status.Service, status.Group, status.Instance, status.At, status.Processed, status.Stopped), (read!.Service, read.Group, read.Instance, read.At, read.Processed, read.Stopped));
        Assert.Equal(status.Tasks, read.Tasks);
        Assert.Equal("features/vigil-features/member-1", read.Key);
    }

    [Fact]
    public void A_stopped_instance_says_so()
    {
        var status = new InstanceStatus("detect", "g", "d", At, 1, []) { Stopped = true };

        Assert.True(InstanceStatusJson.TryRead(InstanceStatusJson.Encode(status), out var read, out _));

        Assert.True(read!.Stopped);
        Assert.Empty(read.Tasks);
    }

    public static TheoryData<string, byte[]> Broken()
    {
        const string Task = """{"task":"0","phase":"running","lag":1}""";
        string Report(string fields) => "{" + fields + "}";
        const string Names = "\"service\":\"features\",\"group\":\"g\",\"instance\":\"i\",\"at\":\"2026-12-04T03:00:00Z\",\"processed\":1";
        var data = new TheoryData<string, byte[]>
        {
            { "no tasks", Utf8(Report(Names)) },
            { "tasks an object", Utf8(Report(Names + ",\"tasks\":{}")) },
            { "no time", Utf8(Report("\"service\":\"features\",\"group\":\"g\",\"instance\":\"i\",\"processed\":1,\"tasks\":[]")) },
            { "a time that is no time", Utf8(Report(Names.Replace("2026-12-04T03:00:00Z", "yesterday", StringComparison.Ordinal) + ",\"tasks\":[]")) },
            { "no service", Utf8(Report(Names.Replace("\"service\":\"features\",", string.Empty, StringComparison.Ordinal) + ",\"tasks\":[]")) },
            { "an empty instance", Utf8(Report(Names.Replace("\"i\"", "\"\"", StringComparison.Ordinal) + ",\"tasks\":[]")) },
            { "a group that is a number", Utf8(Report(Names.Replace("\"g\"", "7", StringComparison.Ordinal) + ",\"tasks\":[]")) },
            { "processed negative", Utf8(Report(Names.Replace("\"processed\":1", "\"processed\":-1", StringComparison.Ordinal) + ",\"tasks\":[]")) },
            { "processed a fraction", Utf8(Report(Names.Replace("\"processed\":1", "\"processed\":1.5", StringComparison.Ordinal) + ",\"tasks\":[]")) },
            { "a task without a phase", Utf8(Report(Names + ",\"tasks\":[{\"task\":\"0\",\"lag\":1}]")) },
            { "a task that is a string", Utf8(Report(Names + ",\"tasks\":[\"0\"]")) },
            { "a lag of text", Utf8(Report(Names + ",\"tasks\":[{\"task\":\"0\",\"phase\":\"running\",\"lag\":\"1\"}]")) },
            { "a lag past a long", Utf8(Report(Names + ",\"tasks\":[{\"task\":\"0\",\"phase\":\"running\",\"lag\":1e30}]")) },
            { "too many tasks", Utf8(Report(Names + ",\"tasks\":[" + string.Join(',', Enumerable.Repeat(Task, InstanceStatusJson.MaxTasks + 1)) + "]")) },
            { "too large", Utf8(Report(Names + ",\"pad\":\"" + new string('x', InstanceStatusJson.MaxBytes) + "\",\"tasks\":[]")) },
            { "nested 100 deep", Utf8(Report(Names + ",\"x\":" + new string('[', 100) + new string(']', 100) + ",\"tasks\":[]")) },
            { "an array", Utf8("[]") },
            { "null", Utf8("null") },
        };
        foreach (var (name, value, _) in BrokenRecords.All)
        {
            data.Add("a broken record: " + name, value);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void Anything_but_a_report_is_refused_with_a_reason_and_never_throws(string name, byte[] value)
    {
        Assert.False(InstanceStatusJson.TryRead(value, out var status, out var error), name);
        Assert.Null(status);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Names_are_cut_to_a_bounded_length_and_odd_numbers_kept_in_range()
    {
        var json = "{\"service\":\"features\",\"group\":\"" + new string('g', 10_000) + "\",\"instance\":\"i\",\"at\":\"2026-12-04T03:00:00Z\",\"processed\":0," +
            "\"tasks\":[{\"task\":\"0\",\"phase\":\"restoring\",\"lag\":0,\"restore_share\":7,\"restore_s\":-3}]}";

        Assert.True(InstanceStatusJson.TryRead(Utf8(json), out var read, out var error), error);

        Assert.Equal(InstanceStatusJson.MaxName, read!.Group.Length);
        Assert.Equal((1.0, 0.0), (read.Tasks[0].RestoreShare, read.Tasks[0].RestoreSeconds));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
