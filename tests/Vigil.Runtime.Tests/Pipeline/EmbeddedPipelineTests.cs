using System.Text;
using System.Text.Json;
using Vigil.Features;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Rules;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Sinks;
using Vigil.Streams;
using Vigil.Simulation.Seed;
using Vigil.Testing;

namespace Vigil.Runtime.Tests.Pipeline;

public sealed class EmbeddedPipelineTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-e2e-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_pipeline_fails_as_soon_as_one_task_fails_while_the_others_still_wait()
    {
        var forever = new TaskCompletionSource();
        var failed = Task.FromException(new InvalidOperationException("a task broke"));
        var completion = EmbeddedPipeline.WhenAllOrFirstFailure([forever.Task, Task.CompletedTask, failed]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => completion.WaitAsync(Timeout));
        Assert.Equal("a task broke", error.Message);
        Assert.False(forever.Task.IsCompleted);
    }

    [Fact]
    public async Task The_pipeline_completes_when_every_task_has()
    {
        var last = new TaskCompletionSource();
        var completion = EmbeddedPipeline.WhenAllOrFirstFailure([Task.CompletedTask, last.Task]);
        await Task.Delay(50);
        Assert.False(completion.IsCompleted);
        last.SetResult();
        await completion.WaitAsync(Timeout);
    }

    private static readonly string[] BadRecords =
    [
        "not json",
        """{"source":"x","target":"y","currency":"EUR"}""",
        """{"amount":-12.5}""",
        """{"amount":"950"}""",
        """{"amount":1,"timestamp":"later"}""",
        "{\"amount\": 5",
    ];

    [Fact]
    public async Task Every_generated_transaction_is_routed_exactly_once_and_fraud_is_exactly_amount_at_or_above_900()
    {
        const int generated = 200_000;
        var topics = new TopicOptions();
        var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = 2, QueueCapacity = 4 }, topics, RuleSet.AmountThreshold());
        var sinks = new[] { pipeline.Legit, pipeline.Fraud, pipeline.DeadLetters }.Select(t => new JsonLinesSink(t, _directory)).ToList();
        var sinking = sinks.Select(s => s.RunAsync()).ToList();
        pipeline.Start();

        var source = new SourcePublisher(new SeedTransactionGenerator(seed: 42), new SourceOutputs(pipeline.Transactions.CreateProducer()), SourcePacing.Unlimited, generated);
        var generating = source.RunAsync(CancellationToken.None);
        var injector = pipeline.Transactions.CreateProducer();
        foreach (var bad in BadRecords)
        {
            injector.Append(default, Encoding.UTF8.GetBytes(bad));
        }

        await injector.FlushAsync();
        await generating.WaitAsync(Timeout);
        await pipeline.DrainAsync().WaitAsync(Timeout);
        await Task.WhenAll(sinking).WaitAsync(Timeout);
        foreach (var sink in sinks)
        {
            await sink.DisposeAsync();
        }

        var legit = ReadLines(topics.Legit);
        var fraud = ReadLines(topics.Fraud);
        var dead = ReadLines(topics.DeadLetter);

        Assert.Equal(generated, source.Produced);
        Assert.Equal(generated + BadRecords.Length, legit.Count + fraud.Count + dead.Count);
        Assert.Equal(BadRecords.Length, dead.Count);
        Assert.All(legit, r => Assert.True(r.GetProperty("amount").GetDouble() < 900 && !Fraud(r)));
        Assert.All(fraud, r => Assert.True(r.GetProperty("amount").GetDouble() >= 900 && Fraud(r)));
        Assert.InRange(fraud.Count / (double)generated, 0.095, 0.105);

        var origins = legit.Concat(fraud).Select(r =>
        {
            var input = r.GetProperty("vigil").GetProperty("input");
            return (input.GetProperty("partition").GetInt32(), input.GetProperty("offset").GetInt64());
        }).Concat(dead.Select(r =>
        {
            var headers = r.GetProperty("headers");
            return (int.Parse(headers.GetProperty(DeadLetterHeaders.SourcePartition).GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                long.Parse(headers.GetProperty(DeadLetterHeaders.SourceOffset).GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        })).ToList();
        Assert.Equal(origins.Count, origins.Distinct().Count());
        var endOffsets = pipeline.Transactions.Partitions.Select(p => p.EndOffset).ToArray();
        Assert.Equal(generated + BadRecords.Length, endOffsets.Sum());
        Assert.All(origins, o => Assert.InRange(o.Item2, 0, endOffsets[o.Item1] - 1));

        Assert.Equal(
            BadRecords.Order(StringComparer.Ordinal),
            dead.Select(r => r.GetProperty("value").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(dead, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("headers").GetProperty(DeadLetterHeaders.ErrorReason).GetString())));

        var status = pipeline.Status();
        Assert.Equal(generated + BadRecords.Length, status.Produced);
        Assert.Equal(fraud.Count, status.Fraud);
        Assert.Equal(0, status.Lag);
        Assert.True(status.LatencyP99Nanoseconds > 0);
    }

    [Fact]
    public async Task Swapping_rules_mid_stream_changes_decisions_without_losing_records()
    {
        var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(900));
        pipeline.Start();
        var producer = pipeline.Transactions.CreateProducer();

        producer.Append(default, """{"amount":500}"""u8);
        await producer.FlushAsync();
        Assert.True(await Eventually.TrueAsync(() => pipeline.Legit.EndOffset == 1, TimeSpan.FromSeconds(5)));
        pipeline.Rules = RuleSet.AmountThreshold(100);
        producer.Append(default, """{"amount":500}"""u8);
        await producer.FlushAsync();
        await pipeline.DrainAsync().WaitAsync(Timeout);

        Assert.Equal(1, pipeline.Legit.EndOffset);
        Assert.Equal(1, pipeline.Fraud.EndOffset);
    }

    [Fact]
    public async Task Swapping_models_under_load_loses_no_record_and_each_decision_follows_the_version_it_names()
    {
        static LogisticModel Above(double amount, string version) =>
            new(["amount"], mean: [0], scale: [1], weights: [1], intercept: -amount, threshold: 0.5) { Version = version };
        var models = new Dictionary<string, double> { ["lr-above-500"] = 500, ["lr-above-100"] = 100 };
        await SwapUnderLoadAsync(
            RuleSet.AmountThreshold(1e12),
            p => p.Models = new(Above(500, "lr-above-500")),
            (p, i) => p.Models = new(Above(models.ElementAt(i % 2).Value, models.ElementAt(i % 2).Key)),
            vigil => models[vigil.GetProperty("versions").GetProperty("model").GetString()!]);
    }

    [Fact]
    public async Task Swapping_compiled_rule_files_under_load_loses_no_record_and_each_decision_follows_the_version_it_names()
    {
        static RuleSet Above(int amount) => RulesDocument.Parse($"""
            version: above-{amount}
            lists:
              never: [nobody]
            rules:
              - name: large
                expression: amount >= {amount} and source not in never
              - name: unreadable
                expression: record.missing > 0 or amount / 0 > 1
            """, "test", ".", FeatureSet.None).RuleSet;
        var rules = new[] { Above(500), Above(100) };
        var thresholds = rules.ToDictionary(r => r.Version, r => r.Version.StartsWith("above-500", StringComparison.Ordinal) ? 500.0 : 100.0);
        await SwapUnderLoadAsync(
            rules[0],
            _ => { },
            (p, i) => p.Rules = rules[i % 2],
            vigil => thresholds[vigil.GetProperty("versions").GetProperty("rules").GetString()!]);
    }

    /// <summary>
    /// Streams 100,000 seed transactions while <paramref name="swap"/> runs every millisecond; every record must be
    /// decided once, as fraud exactly when its amount reaches the threshold of the version it names.
    /// </summary>
    private async Task SwapUnderLoadAsync(RuleSet rules, Action<EmbeddedPipeline> setUp, Action<EmbeddedPipeline, int> swap, Func<JsonElement, double> threshold)
    {
        const int generated = 100_000;
        var topics = new TopicOptions();
        var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = 2, QueueCapacity = 4 }, topics, rules);
        setUp(pipeline);
        var sinks = new[] { pipeline.Legit, pipeline.Fraud, pipeline.DeadLetters }.Select(t => new JsonLinesSink(t, _directory)).ToList();
        var sinking = sinks.Select(s => s.RunAsync()).ToList();
        pipeline.Start();
        var source = new SourcePublisher(new SeedTransactionGenerator(seed: 7), new SourceOutputs(pipeline.Transactions.CreateProducer()), SourcePacing.Unlimited, generated);
        // On the thread pool: unpaced, with room in every queue, the publisher may finish before its first await returns.
        var generating = Task.Run(() => source.RunAsync(CancellationToken.None));
        var swaps = 0;
        for (var i = 1; i < 100_000 && !generating.IsCompleted; i++)
        {
            swap(pipeline, i);
            swaps++;
            await Task.Delay(1);
        }

        await generating.WaitAsync(Timeout);
        await pipeline.DrainAsync().WaitAsync(Timeout);
        await Task.WhenAll(sinking).WaitAsync(Timeout);
        foreach (var sink in sinks)
        {
            await sink.DisposeAsync();
        }

        var decided = ReadLines(topics.Legit).Concat(ReadLines(topics.Fraud)).ToList();
        Assert.Equal(generated, decided.Count);
        Assert.Empty(ReadLines(topics.DeadLetter));
        var thresholds = decided.Select(r => threshold(r.GetProperty("vigil"))).ToList();
        Assert.All(decided.Zip(thresholds), pair =>
            Assert.Equal(pair.First.GetProperty("amount").GetDouble() >= pair.Second, Fraud(pair.First)));
        Assert.True(swaps > 2, $"{swaps} swaps");
        Assert.Equal(2, thresholds.Distinct().Count());
    }

    private static bool Fraud(JsonElement record) => record.GetProperty("vigil").GetProperty("fraud").GetBoolean();

    private List<JsonElement> ReadLines(string topic) =>
        File.ReadLines(Path.Combine(_directory, topic + ".jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
}
