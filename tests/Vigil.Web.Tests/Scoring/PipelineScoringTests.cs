using System.Text;
using System.Text.Json;
using Vigil.Features;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Runtime.Features;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Rules;
using Vigil.Runtime.Topics;
using Vigil.Web.Dashboard;
using Vigil.Web.Scoring;

namespace Vigil.Web.Tests.Scoring;

/// <summary><c>/v1/score</c> on the demo's own web server, reading the running pipeline's feature state.</summary>
public sealed class PipelineScoringTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_scored_transaction_is_decided_on_the_pipelines_windows_and_rules_and_leaves_them_to_the_stream()
    {
        var features = FeatureSet.Create(FeatureSet.NoneName, ["n = count(customer, 1d)", "s = sum_amount(customer, 1d)"]);
        var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = 1 }, new TopicOptions(), RuleSet.AmountThreshold(), features,
            new FeatureStageOptions { IdleTimeout = TimeSpan.FromMilliseconds(50) });
        pipeline.Start();
        var producer = pipeline.Transactions.CreateProducer();
        for (var minute = 0; minute < 3; minute++)
        {
            producer.Append(0, "c9"u8, Encoding.UTF8.GetBytes($$"""{"transaction_id":{{minute}},"timestamp":"2018-04-01T10:0{{minute}}:00Z","customer_id":"c9","amount":10}"""));
        }

        await producer.FlushAsync();
        var deadline = DateTime.UtcNow + Timeout;
        while (pipeline.Status().Features!.Computed < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        // The model reads one of the pipeline's two features: fraud from the fourth transaction of a day on.
        var model = new LogisticModel(["n"], [0], [1], [1], intercept: -3.5, threshold: 0.5)
        {
            Version = "lr-velocity",
            Features = FeatureSet.Create(FeatureSet.NoneName, ["n = count(customer, 1d)"]),
        };
        // A rule on the day's total, a feature the pipeline computes and the model does not read.
        var rules = RulesDocument.Parse("""
            version: t
            rules:
              - name: big_day
                expression: s > 50
            """, "rules.yaml", ".", features).RuleSet;
        using var scorer = new TransactionScorer(model, new PipelineFeatures(pipeline.Features!, pipeline.PeekFeatures), () => rules);
        var options = new DashboardOptions { Port = 0 };
        var server = new DashboardServer(options, new EventFeed(pipeline.Legit, pipeline.Fraud, pipeline.Status, options), new ScoringEndpoints(scorer));
        await server.StartAsync();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            async Task<JsonElement> ScoreAsync(string transaction)
            {
                using var body = new StringContent(transaction, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(new Uri(server.Address, "v1/score?features=true"), body);
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            }

            var answers = new List<JsonElement>();
            for (var i = 0; i < 2; i++)
            {
                answers.Add(await ScoreAsync("""{"customer_id":"c9","amount":25,"timestamp":"2018-04-01T10:05:00Z"}"""));
            }

            Assert.All(answers, a =>
            {
                Assert.Equal(4, a.GetProperty("features").GetProperty("n").GetDouble());
                Assert.Equal(55, a.GetProperty("features").GetProperty("s").GetDouble());
                Assert.True(a.GetProperty("fraud").GetBoolean());
                Assert.Equal(["big_day", "model:n"], a.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
                Assert.Equal(rules.Version, a.GetProperty("rules_version").GetString());
            });
            Assert.Equal(3, pipeline.Status().Features!.Computed);

            var stranger = await ScoreAsync("""{"customer_id":"c1","amount":5,"timestamp":"2018-04-01T10:05:00Z"}""");
            Assert.False(stranger.GetProperty("fraud").GetBoolean());
            Assert.Empty(stranger.GetProperty("reasons").EnumerateArray());
        }
        finally
        {
            await server.StopAsync();
            await server.DisposeAsync();
            await pipeline.DrainAsync().WaitAsync(Timeout);
        }
    }
}
