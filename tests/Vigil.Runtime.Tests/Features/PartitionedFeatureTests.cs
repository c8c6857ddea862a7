using System.Globalization;
using System.Text;
using Vigil.Features;
using Vigil.Rules;
using Vigil.Runtime.Features;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sinks;

namespace Vigil.Runtime.Tests.Features;

/// <summary>Feature state split over partitioned tasks computes exactly what one engine computes.</summary>
public sealed class PartitionedFeatureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Start = new(2018, 4, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Vigil's set (customer windows, terminal windows and risks from labels) and counterparty features on both sides.</summary>
    private static readonly FeatureSet Features = FeatureSet.Create(FeatureSet.VigilName,
    [
        "customer_terminals_1d = distinct_counterparties(customer, 1d)",
        "terminal_customers_1d = distinct_counterparties(terminal, 1d)",
    ]);

    public static TheoryData<int, int> Streams => new()
    {
        { 1, 1 },
        { 2, 2 },
        { 3, 3 },
        { 4, 4 },
        { 5, 5 },
        { 2, 6 },
        { 3, 7 },
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task Every_feature_equals_the_single_engines_for_any_partition_count_with_records_out_of_order_within_the_lateness(int partitions, int seed)
    {
        var stream = RandomStream(seed, transactions: 3_000);
        var pipeline = new EmbeddedPipeline(
            new PipelineOptions { Partitions = partitions }, new TopicOptions(), RuleSet.AmountThreshold(), Features,
            new FeatureStageOptions { AllowedLateness = TimeSpan.FromSeconds(30), IdleTimeout = System.Threading.Timeout.InfiniteTimeSpan });
        Assert.Equal(2 * partitions, pipeline.FeatureTasks);
        var collector = FeatureCollector.Attach(null, pipeline.Legit, pipeline.Fraud);
        var deadLetters = DiscardSink.Attach(pipeline.DeadLetters, "test");
        pipeline.Start();

        // Labels first, each due a day after its transaction: every task has them before the transactions they count for.
        var labels = pipeline.Labels.CreateProducer();
        foreach (var t in stream.Where(t => t.Fraud))
        {
            labels.Append(Encoding.UTF8.GetBytes(t.Customer), Encoding.UTF8.GetBytes(
                $$"""{"transaction_id":{{t.Id}},"fraud":1,"timestamp":"{{Iso(t.TimeMs)}}","reported_at":"{{Iso(t.TimeMs + 86_400_000)}}","customer_id":"{{t.Customer}}","terminal_id":"{{t.Terminal}}"}"""));
        }

        await labels.FlushAsync();
        var producer = pipeline.Transactions.CreateProducer();
        foreach (var t in stream)
        {
            producer.Append(Encoding.UTF8.GetBytes(t.Customer), Encoding.UTF8.GetBytes(t.Json));
        }

        await producer.FlushAsync();
        await pipeline.DrainAsync().WaitAsync(Timeout);
        await collector.Completion.WaitAsync(Timeout);
        await deadLetters.WaitAsync(Timeout);

        var expected = SingleEngine(stream);
        Assert.Equal(stream.Count, collector.Features.Count);
        Assert.Equal(0, collector.Duplicates);
        Assert.Equal(0, pipeline.Status().Features!.Late);
        foreach (var t in stream)
        {
            var streamed = collector.Features[t.Id];
            for (var f = 0; f < Features.Count; f++)
            {
                var name = Features.Definitions[f].Name;
                var want = expected[t.Id][f];
                var got = streamed[name] ?? double.NaN;
                Assert.True(
                    double.IsNaN(want) ? double.IsNaN(got) : Math.Abs(want - got) <= 1e-9 * Math.Max(1, Math.Abs(want)),
                    $"transaction {t.Id} ({partitions} partitions): {name} is {got}, one engine gives {want}");
            }
        }

        // The stream exercised what it means to: windows that hold several transactions, and risks from labels.
        Assert.Contains(stream, t => expected[t.Id][Features.IndexOf("customer_nb_tx_1d")] >= 3);
        Assert.Contains(stream, t => expected[t.Id][Features.IndexOf("terminal_risk_30d")] > 0);
    }

    [Fact]
    public async Task Transactions_without_event_time_are_decided_without_waiting_for_the_lateness_on_every_task()
    {
        var pipeline = new EmbeddedPipeline(
            new PipelineOptions { Partitions = 3 }, new TopicOptions(), RuleSet.AmountThreshold(), FeatureSet.Vigil,
            new FeatureStageOptions { AllowedLateness = TimeSpan.FromMinutes(10) });
        var collector = FeatureCollector.Attach(null, pipeline.Legit, pipeline.Fraud);
        var deadLetters = DiscardSink.Attach(pipeline.DeadLetters, "test");
        pipeline.Start();
        var producer = pipeline.Transactions.CreateProducer();
        for (var i = 0; i < 30; i++)
        {
            producer.Append(Encoding.UTF8.GetBytes($"c{i % 7}"), Encoding.UTF8.GetBytes($$"""{"transaction_id":{{i}},"customer_id":"c{{i % 7}}","terminal_id":"t{{i % 5}}","amount":{{i + 1}}}"""));
        }

        await producer.FlushAsync();
        var deadline = DateTime.UtcNow + Timeout;
        while (pipeline.Status().Legit + pipeline.Status().Fraud < 30 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        // Decided while the input is still open, long before ten minutes of lateness or an idle input could release them.
        Assert.Equal(30, pipeline.Status().Legit + pipeline.Status().Fraud);
        await pipeline.DrainAsync().WaitAsync(Timeout);
        await collector.Completion.WaitAsync(Timeout);
        await deadLetters.WaitAsync(Timeout);
        Assert.Equal(30, collector.Features.Count);
    }

    [Fact]
    public async Task A_pipeline_started_long_after_it_was_built_does_not_take_its_silent_inputs_for_idle()
    {
        var pipeline = new EmbeddedPipeline(
            new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(), FeatureSet.Create(FeatureSet.NoneName, ["n = count(terminal, 1d)"]),
            new FeatureStageOptions { IdleTimeout = TimeSpan.FromSeconds(2) });
        var collector = FeatureCollector.Attach(null, pipeline.Legit, pipeline.Fraud);
        var deadLetters = DiscardSink.Attach(pipeline.DeadLetters, "test");
        await Task.Delay(TimeSpan.FromSeconds(3)); // built, then prepared for longer than the idle timeout (a warm-up does that)
        pipeline.Start();

        // Two customers on different partitions at one terminal; the later transaction comes first.
        var customers = Enumerable.Range(0, 100).Select(i => $"c{i}").ToList();
        var first = customers.First(c => pipeline.Transactions.PartitionFor(Encoding.UTF8.GetBytes(c)) == 0);
        var second = customers.First(c => pipeline.Transactions.PartitionFor(Encoding.UTF8.GetBytes(c)) == 1);
        var producer = pipeline.Transactions.CreateProducer();
        producer.Append(Encoding.UTF8.GetBytes(first), Encoding.UTF8.GetBytes($$"""{"transaction_id":1,"timestamp":"2018-04-01T10:00:05Z","customer_id":"{{first}}","terminal_id":"t","amount":5}"""));
        await producer.FlushAsync();
        await Task.Delay(500); // well within the idle timeout: partition 1 has not been silent for long
        producer.Append(Encoding.UTF8.GetBytes(second), Encoding.UTF8.GetBytes($$"""{"transaction_id":2,"timestamp":"2018-04-01T10:00:01Z","customer_id":"{{second}}","terminal_id":"t","amount":5}"""));
        await producer.FlushAsync();
        await pipeline.DrainAsync().WaitAsync(Timeout);
        await collector.Completion.WaitAsync(Timeout);
        await deadLetters.WaitAsync(Timeout);

        // Had partition 1 counted as idle from the start, transaction 1 would have gone first and 2 been late.
        Assert.Equal(0, pipeline.Status().Features!.Late);
        Assert.Equal(1, collector.Features[2]["n"]);
        Assert.Equal(2, collector.Features[1]["n"]);
    }

    [Fact]
    public async Task Records_that_are_not_transactions_go_to_the_dead_letters_and_the_records_after_them_are_decided()
    {
        var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(), FeatureSet.Vigil, new FeatureStageOptions());
        var collector = FeatureCollector.Attach(null, pipeline.Legit, pipeline.Fraud);
        var deadLetters = new List<string>();
        var reading = Task.Run(async () =>
        {
            foreach (var subscription in pipeline.DeadLetters.Subscribe("test"))
            {
                await foreach (var batch in subscription.Reader.ReadAllAsync())
                {
                    for (var i = 0; i < batch.Count; i++)
                    {
                        deadLetters.Add(Encoding.UTF8.GetString(batch.Value(i)));
                    }

                    subscription.Complete(batch);
                }
            }
        });
        pipeline.Start();
        var producer = pipeline.Transactions.CreateProducer();
        // The shared corpus, and a record over the size limit (the customer task copies it whole before the decoder refuses it).
        var broken = Vigil.Testing.BrokenRecords.All.Where(r => r.Code is not null).Select(r => r.Value)
            .Append(Encoding.UTF8.GetBytes($$"""{"amount":1,"note":"{{new string('x', 2 * 1024 * 1024)}}"}""")).ToList();
        var id = 0;
        foreach (var record in broken)
        {
            producer.Append(Encoding.UTF8.GetBytes($"c{id % 3}"), record);
            producer.Append(Encoding.UTF8.GetBytes($"c{id % 3}"), Encoding.UTF8.GetBytes(
                $$"""{"transaction_id":{{id}},"timestamp":"{{Iso(Start.ToUnixTimeMilliseconds() + (id * 1000L))}}","customer_id":"c{{id % 3}}","terminal_id":"t{{id % 4}}","amount":5}"""));
            id++;
        }

        await producer.FlushAsync();
        await pipeline.DrainAsync().WaitAsync(Timeout);
        await collector.Completion.WaitAsync(Timeout);
        await reading.WaitAsync(Timeout);
        Assert.Equal(id, collector.Features.Count);
        Assert.Equal(broken.Select(Encoding.UTF8.GetString).Order(StringComparer.Ordinal), deadLetters.Order(StringComparer.Ordinal));
    }

    private sealed record Generated(long Id, long TimeMs, string Customer, string? Terminal, double Amount, bool Fraud, string Json);

    /// <summary>
    /// Transactions over twelve days (the risks look at windows that end 7 days back) from 40 customers at 15 terminals (some without a terminal), every event time
    /// distinct; the arrival order shuffled locally so that records come up to 20 s out of order.
    /// </summary>
    private static List<Generated> RandomStream(int seed, int transactions)
    {
        var random = new Random(seed);
        var times = new SortedSet<long>();
        while (times.Count < transactions)
        {
            times.Add(Start.ToUnixTimeMilliseconds() + random.NextInt64(12 * 86_400_000L));
        }

        var stream = times.Select((time, i) =>
        {
            var customer = $"c{random.Next(40)}";
            var terminal = random.Next(20) == 0 ? null : $"t{random.Next(15)}";
            var amount = Math.Round(random.NextDouble() * 300, 2);
            var terminalJson = terminal is null ? string.Empty : $$""","terminal_id":"{{terminal}}" """.TrimEnd();
            var json = string.Create(CultureInfo.InvariantCulture, $$"""{"transaction_id":{{i}},"timestamp":"{{Iso(time)}}","customer_id":"{{customer}}"{{terminalJson}},"amount":{{amount}}}""");
            return new Generated(i, time, customer, terminal, amount, random.Next(8) == 0, json);
        }).ToList();

        // Local disorder: a record may swap with one up to 20 s after it.
        for (var i = 0; i + 1 < stream.Count; i++)
        {
            if (random.Next(3) == 0 && stream[i + 1].TimeMs - stream[i].TimeMs < 20_000)
            {
                (stream[i], stream[i + 1]) = (stream[i + 1], stream[i]);
            }
        }

        return stream;
    }

    /// <summary>One engine over the stream in event-time order, each label applied from its due time on.</summary>
    private static Dictionary<long, double[]> SingleEngine(List<Generated> stream)
    {
        var engine = new FeatureEngine(Features);
        var reports = stream.Where(t => t.Fraud).OrderBy(t => t.TimeMs + 86_400_000).ToList();
        var next = 0;
        var values = new Dictionary<long, double[]>();
        foreach (var t in stream.OrderBy(t => t.TimeMs))
        {
            while (next < reports.Count && reports[next].TimeMs + 86_400_000 <= t.TimeMs)
            {
                var r = reports[next++];
                engine.ApplyLabel(Key(r.Customer), r.Terminal is null ? null : Key(r.Terminal), r.TimeMs, fraud: true);
            }

            var row = new double[Features.Count];
            engine.Compute(t.TimeMs, Key(t.Customer), t.Terminal is null ? null : Key(t.Terminal), t.Amount, row);
            values[t.Id] = row;
        }

        return values;
    }

    private static long Key(string text) => Vigil.Transactions.TransactionKey.Of(Encoding.UTF8.GetBytes(text));

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
