using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Features;
using Vigil.Learning.Retraining;
using Vigil.Rules;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Sources;
using Vigil.Simulation.Simulator;
using Vigil.Simulation.Sources;
using Vigil.Store;
using Vigil.Store.Audit;
using Vigil.Store.Cases;
using Vigil.Web.Dashboard;
using Vigil.Web.Security;

namespace Vigil.Cases.Tests;

/// <summary>
/// A simulated stream decided by an embedded pipeline (Vigil's features; amount ≥ 220 flags), its alerts filed as cases in SQLite, and the
/// dashboard with the review queue on a free loopback port. The stream has ended when it is returned: every alert is filed.
/// </summary>
internal sealed class ReviewDesk : IAsyncDisposable
{
    private ReviewDesk(VigilDatabase database, CaseReview review, CaseIntake intake, DashboardServer server, VerdictList verdicts, long frauds)
    {
        Database = database;
        Review = review;
        Intake = intake;
        Server = server;
        Verdicts = verdicts;
        Frauds = frauds;
    }

    public VigilDatabase Database { get; }

    public CaseReview Review { get; }

    public CaseIntake Intake { get; }

    public DashboardServer Server { get; }

    /// <summary>What the queue handed on as labels.</summary>
    public VerdictList Verdicts { get; }

    /// <summary>Decisions the pipeline flagged.</summary>
    public long Frauds { get; }

    public static async Task<ReviewDesk> StartAsync(string directory, int transactions = 4000, int? capacity = null, WebSecurity? security = null)
    {
        var pipeline = new EmbeddedPipeline(new PipelineOptions { Partitions = 2 }, new TopicOptions(), RuleSet.AmountThreshold(220), FeatureSet.Vigil);
        var database = VigilDatabase.Open(directory);
        var store = new CaseStore(database, "test");
        var intake = new CaseIntake(pipeline.Fraud, store, NullLogger.Instance);
        var verdicts = new VerdictList();
        var review = new CaseReview(store) { Capacity = capacity, Verdicts = verdicts };
        var options = new DashboardOptions { Port = 0, EventsPerSecond = 50, Security = security ?? new WebSecurity() };
        var feed = new EventFeed(pipeline.Legit, pipeline.Fraud, pipeline.Status, options);
        // A retraining loop that has trained nothing (it sees no decisions): the models' routes answer, with no model to promote.
        var models = new ModelEndpoints(new RetrainingLoop(new RetrainingOptions(), FeatureSet.Vigil, null, NullLogger.Instance), new AuditTrail(database, "test"));
        var server = new DashboardServer(options, feed, routes: routes =>
        {
            new ReviewEndpoints(review).Map(routes);
            models.Map(routes);
        });
        await server.StartAsync();
        var reading = Task.WhenAll(feed.RunAsync(), intake.RunAsync());
        pipeline.Start();
        var simulator = new SimulatorSource(new TransactionSimulator(new SimulatorOptions { Customers = 300, Terminals = 600, Days = null, Seed = 5 }));
        var source = new SourcePublisher(simulator, new SourceOutputs(pipeline.Transactions.CreateProducer(), pipeline.Labels.CreateProducer(), TimeSpan.Zero), SourcePacing.Unlimited, transactions);
        await source.RunAsync(CancellationToken.None);
        await pipeline.DrainAsync();
        await reading.WaitAsync(TimeSpan.FromSeconds(60));
        return new ReviewDesk(database, review, intake, server, verdicts, pipeline.Status().Fraud);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync();
        await Server.DisposeAsync();
        Database.Dispose();
    }

    /// <summary>Keeps every verdict handed on, in order.</summary>
    internal sealed class VerdictList : IVerdictSink
    {
        private readonly List<(CaseSummary Case, IReadOnlyList<CaseAlert> Alerts)> _given = [];

        public IReadOnlyList<(CaseSummary Case, IReadOnlyList<CaseAlert> Alerts)> Given
        {
            get
            {
                lock (_given)
                {
                    return [.. _given];
                }
            }
        }

        public void Publish(CaseSummary decided, IReadOnlyList<CaseAlert> alerts, Func<CaseAlert, bool>? alertTruth = null)
        {
            lock (_given)
            {
                _given.Add((decided, alerts));
            }
        }
    }
}
