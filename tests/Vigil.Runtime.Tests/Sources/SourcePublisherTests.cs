using Vigil.Streams;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;

namespace Vigil.Runtime.Tests.Sources;

public sealed class SourcePublisherTests
{
    private readonly List<(string Writer, string Key, string Value, IReadOnlyList<RecordHeader>? Headers)> _log = [];

    private static SimulatorSource Simulated(int days = 6) =>
        new(new TransactionSimulator(new SimulatorOptions { Customers = 200, Terminals = 400, Days = days, Seed = 2 }));

    private SourceOutputs Outputs(TimeSpan labelDelay, bool labels = true) => new(
        new RecordingWriter("transactions", _log), labels ? new RecordingWriter("labels", _log) : null, labelDelay,
        new RecordingWriter("identities", _log), new RecordingWriter("dead letters", _log));

    private static DateTimeOffset Time(string json, string field) => JsonDocument.Parse(json).RootElement.GetProperty(field).GetDateTimeOffset();

    [Fact]
    public async Task A_label_is_published_only_once_the_stream_has_reached_its_report_time()
    {
        var publisher = new SourcePublisher(Simulated(), Outputs(TimeSpan.FromDays(2)), SourcePacing.Unlimited);

        await publisher.RunAsync(CancellationToken.None);

        var transactions = _log.Count(r => r.Writer == "transactions");
        Assert.Equal(transactions, _log.Count(r => r.Writer == "labels"));
        Assert.Equal(transactions, publisher.LabelsReleased);
        var latest = DateTimeOffset.MinValue;
        var lastTransaction = _log.FindLastIndex(r => r.Writer == "transactions");
        var inStream = 0;
        for (var i = 0; i < _log.Count; i++)
        {
            var (writer, _, value, _) = _log[i];
            if (writer == "transactions")
            {
                latest = Time(value, "timestamp");
            }
            else if (i < lastTransaction)
            {
                // Released while the stream ran: not before the stream reached its report time, and not after either.
                inStream++;
                var reported = Time(value, "reported_at");
                Assert.Equal(TimeSpan.FromDays(2), reported - Time(value, "timestamp"));
                Assert.True(reported <= Time(_log[i..].First(r => r.Writer == "transactions").Value, "timestamp"));
                Assert.True(reported > latest);
            }
        }

        Assert.InRange(inStream, transactions / 2, transactions - 1);
    }

    [Fact]
    public async Task Labels_are_left_out_when_there_is_no_labels_topic()
    {
        var publisher = new SourcePublisher(Simulated(days: 2), Outputs(TimeSpan.Zero, labels: false), SourcePacing.Unlimited);

        await publisher.RunAsync(CancellationToken.None);

        Assert.All(_log, r => Assert.Equal("transactions", r.Writer));
        Assert.True(publisher.Ended);
    }

    [Fact]
    public async Task Invalid_rows_become_dead_letters_with_their_file_and_line_and_identities_follow_their_transaction()
    {
        var source = new ListSource(
            ("""{"transaction_id":1,"amount":5}""", null, """{"transaction_id":1,"DeviceType":"mobile"}"""),
            ("1,2,three", new InvalidRecord("bad_amount", "amount 'three' is not a number", "train.csv", 3), null),
            ("""{"transaction_id":2,"amount":7}""", null, null));
        var publisher = new SourcePublisher(source, Outputs(TimeSpan.Zero), SourcePacing.Unlimited);

        await publisher.RunAsync(CancellationToken.None);

        Assert.Equal(["transactions", "identities", "dead letters", "transactions"], _log.Select(r => r.Writer));
        var headers = _log[2].Headers!.ToDictionary(h => h.Key, h => h.ValueText);
        Assert.Equal("bad_amount", headers[DeadLetterHeaders.ErrorCode]);
        Assert.Equal("amount 'three' is not a number", headers[DeadLetterHeaders.ErrorReason]);
        Assert.Equal("train.csv", headers[DeadLetterHeaders.SourceFile]);
        Assert.Equal("3", headers[DeadLetterHeaders.SourceLine]);
        Assert.Equal("1,2,three", _log[2].Value);
        Assert.Equal((2, 1, 3), (publisher.Produced, publisher.Invalid, publisher.Read));
    }

    [Fact]
    public async Task The_limit_counts_records_read()
    {
        var publisher = new SourcePublisher(Simulated(), Outputs(TimeSpan.FromDays(7)), SourcePacing.Unlimited, limit: 1000);

        await publisher.RunAsync(CancellationToken.None);

        Assert.Equal(1000, _log.Count(r => r.Writer == "transactions"));
        Assert.Equal(1000, _log.Count(r => r.Writer == "labels"));
        Assert.False(publisher.Ended);
    }

    [Fact]
    public async Task Paced_by_event_time_a_stream_never_runs_ahead_of_its_schedule()
    {
        // Two simulated days at 172,800 times real time: the last record is due one second (of clock) after the first.
        var publisher = new SourcePublisher(Simulated(days: 2), Outputs(TimeSpan.Zero), SourcePacing.ByEventTime(172_800));
        var clock = Stopwatch.StartNew();

        await publisher.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        var first = Time(_log.First(r => r.Writer == "transactions").Value, "timestamp");
        var last = Time(_log.Last(r => r.Writer == "transactions").Value, "timestamp");
        Assert.True(clock.Elapsed >= (last - first) / 172_800 - TimeSpan.FromMilliseconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Pacing_by_event_time_needs_a_source_with_event_time() =>
        Assert.Throws<ArgumentException>(() => new SourcePublisher(new Vigil.Simulation.Seed.SeedTransactionGenerator(1), Outputs(TimeSpan.Zero), SourcePacing.ByEventTime(10)));

    /// <summary>A source of given records: (transaction or raw row, why it is invalid or null, identity or null).</summary>
    private sealed class ListSource(params (string Value, InvalidRecord? Invalid, string? Identity)[] records) : ITransactionSource
    {
        private int _at = -1;

        public string Description => "a list";

        public bool HasLabels => false;

        public bool HasEventTime => false;

        public InvalidRecord? Invalid => records[_at].Invalid;

        public ReadOnlySpan<byte> Key => [];

        public ReadOnlySpan<byte> Value => Encoding.UTF8.GetBytes(records[_at].Value);

        public long EventTimeMs => 0;

        public ReadOnlySpan<byte> Label => [];

        public ReadOnlySpan<byte> Identity => records[_at].Identity is { } identity ? Encoding.UTF8.GetBytes(identity) : [];

        public bool MoveNext() => ++_at < records.Length;
    }

    [Fact]
    public async Task A_barrier_stops_the_source_at_each_of_its_times_with_everything_before_published_and_the_labels_due()
    {
        var barrier = new DailyBarrier(_log);
        var publisher = new SourcePublisher(Simulated(), Outputs(TimeSpan.FromDays(1)), SourcePacing.Unlimited) { Barrier = barrier };

        await publisher.RunAsync(CancellationToken.None);

        // The first record stops it, then the first record of each later day: six days, six stops.
        Assert.Equal(6, barrier.Stops.Count);
        var transactions = _log.Where(r => r.Writer == "transactions").Select(r => Time(r.Value, "timestamp")).ToList();
        foreach (var stop in barrier.Stops)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(stop.EventTimeMs);
            Assert.Equal(transactions.Count(t => t < at), stop.TransactionsBefore);
            Assert.Equal(stop.LabelsLogged, stop.LabelsReleased);
            Assert.Equal(_log.Count(r => r.Writer == "labels" && Time(r.Value, "reported_at") <= at), stop.LabelsReleased);
        }

        Assert.Equal(transactions.Count, publisher.Produced);
        Assert.True(publisher.BarrierWait >= TimeSpan.FromMilliseconds(6 * 5));
    }

    [Fact]
    public async Task A_source_stopped_at_a_barrier_ends_without_publishing_further()
    {
        using var cancel = new CancellationTokenSource();
        var barrier = new DailyBarrier(_log) { OnStop = cancel.Cancel, StopAt = 2 };
        var publisher = new SourcePublisher(Simulated(), Outputs(TimeSpan.FromDays(1)), SourcePacing.Unlimited) { Barrier = barrier };

        await publisher.RunAsync(cancel.Token);

        Assert.Equal(2, barrier.Stops.Count);
        Assert.Equal(barrier.Stops[^1].TransactionsBefore, publisher.Produced);
    }

    [Fact]
    public async Task A_verdict_is_written_with_the_labels_at_the_next_turn_and_marks_the_report_of_a_fraud_it_confirmed()
    {
        // A first run says which transactions of the first day turn out fraud, and which genuine.
        await new SourcePublisher(Simulated(), Outputs(TimeSpan.FromDays(2)), SourcePacing.Unlimited).RunAsync(CancellationToken.None);
        var truth = _log.Where(r => r.Writer == "labels").Select(r => JsonDocument.Parse(r.Value).RootElement)
            .Where(l => Time(l.GetRawText(), "timestamp") < new DateTimeOffset(2018, 4, 2, 0, 0, 0, TimeSpan.Zero))
            .Select(l => (Id: l.GetProperty("transaction_id").GetInt64(), Customer: l.GetProperty("customer_id").ToString(), Fraud: l.GetProperty("fraud").GetInt32() == 1)).ToList();
        var first = truth.First(t => t.Fraud);
        var second = truth.First(t => !t.Fraud);
        _log.Clear();

        var barrier = new DailyBarrier(_log);
        var publisher = new SourcePublisher(Simulated(), Outputs(TimeSpan.FromDays(2)), SourcePacing.Unlimited) { Barrier = barrier };
        barrier.OnReached = n =>
        {
            // On the second day an analyst confirms a fraud of the first day, and clears a genuine one.
            if (n == 2)
            {
                foreach (var (id, customer, fraud) in new[] { first, second })
                {
                    Assert.True(publisher.TryReport(Encoding.UTF8.GetBytes(customer), Encoding.UTF8.GetBytes($$"""{"analyst":"alice","transaction_id":{{id}},"fraud":{{(fraud ? 1 : 0)}}}"""), id, fraud, "alice"));
                }
            }
        };

        await publisher.RunAsync(CancellationToken.None);

        var labels = _log.Where(r => r.Writer == "labels").Select(r => JsonDocument.Parse(r.Value).RootElement).ToList();
        var verdicts = labels.Where(l => l.TryGetProperty("analyst", out _)).ToList();
        Assert.Equal([first.Id, second.Id], verdicts.Select(v => v.GetProperty("transaction_id").GetInt64()));
        var reports = labels.Where(l => !l.TryGetProperty("analyst", out _)).ToDictionary(l => l.GetProperty("transaction_id").GetInt64());
        Assert.Equal(publisher.Produced, reports.Count);
        Assert.Equal(publisher.Produced + 2, publisher.LabelsReleased);
        Assert.Equal(2, publisher.VerdictsWritten);

        // Only a report that says fraud, of a transaction confirmed as fraud, says who confirmed it.
        var confirmed = reports.Values.Where(r => r.TryGetProperty("confirmed_by", out _)).ToList();
        Assert.Equal([first.Id], confirmed.Select(r => r.GetProperty("transaction_id").GetInt64()));
        Assert.All(confirmed, r => Assert.Equal("alice", r.GetProperty("confirmed_by").GetString()));

        // Written on the turn after the stop, before any later transaction; refused once the source has finished.
        var firstVerdict = _log.FindIndex(r => r.Writer == "labels" && r.Value.Contains("\"analyst\"", StringComparison.Ordinal));
        Assert.True(Time(_log[firstVerdict..].First(r => r.Writer == "transactions").Value, "timestamp") >= DateTimeOffset.FromUnixTimeMilliseconds(barrier.Stops[1].EventTimeMs));
        Assert.False(publisher.TryReport([], "{}"u8.ToArray(), 1, isFraud: true, "alice"));
    }

    /// <summary>Stops the source once a day of event time for 5 ms, and notes what was published by then.</summary>
    private sealed class DailyBarrier(List<(string Writer, string Key, string Value, IReadOnlyList<RecordHeader>? Headers)> log) : IEventTimeBarrier
    {
        public List<(long EventTimeMs, int TransactionsBefore, long LabelsReleased, int LabelsLogged)> Stops { get; } = [];

        public Action? OnStop { get; init; }

        /// <summary>Called at each stop with its number (from 1), before the source goes on.</summary>
        public Action<int>? OnReached { get; set; }

        public int StopAt { get; init; } = int.MaxValue;

        public long NextMs { get; private set; } = long.MinValue;

        public async ValueTask ReachedAsync(long eventTimeMs, long labelsReleased, CancellationToken cancel)
        {
            Stops.Add((eventTimeMs, log.Count(r => r.Writer == "transactions"), labelsReleased, log.Count(r => r.Writer == "labels")));
            OnReached?.Invoke(Stops.Count);
            await Task.Delay(5, CancellationToken.None);
            NextMs = eventTimeMs + (long)TimeSpan.FromDays(1).TotalMilliseconds;
            if (Stops.Count == StopAt)
            {
                OnStop?.Invoke();
                cancel.ThrowIfCancellationRequested();
            }
        }
    }
}
