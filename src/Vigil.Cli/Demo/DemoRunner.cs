using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Vigil.Alerts;
using Vigil.Cases;
using Vigil.Cli.Alerts;
using Vigil.Cli.Configuration;
using Vigil.Cli.Logging;
using Vigil.Cli.Models;
using Vigil.Cli.Reports;
using Vigil.Cli.Rules;
using Vigil.Cli.Services;
using Vigil.Cli.Sources;
using Vigil.Cli.Terminal;
using Vigil.Detection;
using Vigil.Features;
using Vigil.Hosting;
using Vigil.Hosting.Services;
using Vigil.Hosting.Transports;
using Vigil.Learning.Retraining;
using Vigil.Store;
using Vigil.Store.Audit;
using Vigil.Store.Cases;
using Vigil.Store.Models;
using Vigil.Models;
using Vigil.Runtime.Metrics;
using Vigil.Runtime.Quality;
using Vigil.Runtime.Rules;
using Vigil.Runtime.Sinks;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;
using Vigil.Web.Metrics;
using Vigil.Web.Operations;
using Vigil.Web.Scoring;

namespace Vigil.Cli.Demo;

/// <summary>
/// A whole pipeline in one process, on the embedded runtime or on Kafka: a source (the simulator, the seed's generator
/// or a dataset file), the detector, live quality against the labels, the files and the dashboard. Stops on a signal
/// (Ctrl+C), after the duration or the count, or when the source ends; then decides every record in flight, flushes
/// the files and closes the dashboard before printing the summary.
/// </summary>
/// <param name="title">"Vigil demo" or "Vigil replay", for the header and the summary.</param>
public sealed class DemoRunner(VigilSettings settings, string title, IAnsiConsole console, bool live, Action<string> report)
{
    private readonly StatusView _view = new(console, live, StatusLineInterval);
    private ILoggerFactory? _logs;
    private DatabaseModelRegistry? _registry;
    private string _run = string.Empty;

    /// <summary>Client libraries' lines: under the live table while it shows (they would tear it), else where the caller said.</summary>
    private Action<string> ClientLines => _view.Log(report);

    /// <summary>Loggers writing to the same place, by category; made once (the view decides at each line where it goes).</summary>
    private ILoggerFactory Logs => _logs ??= settings.Logs.Factory(ClientLines);

    /// <summary>How often a non-interactive run prints a status line.</summary>
    public static readonly TimeSpan StatusLineInterval = TimeSpan.FromSeconds(5);

    /// <summary>Where fraud alerts go; null or none for no alerts.</summary>
    public AlertSettings? Alerts { get; init; }

    /// <summary>Where to serve <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> besides the dashboard (<c>--metrics-port</c>; with <c>--no-dashboard</c>, the only port).</summary>
    public (string Host, int Port)? Operations { get; init; }

    /// <summary>Runs the pipeline over <paramref name="run"/>'s source; returns the process exit code.</summary>
    public async Task<int> RunAsync(RunSource run, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(run);
        var source = run.Source;
        if (settings.Quality.Report is not null && !source.HasLabels)
        {
            throw new UsageException($"--report writes detection quality against ground truth, and {source.Description} has no labels");
        }

        if (settings.Cases.Investigators > 0 && !(source.HasLabels && source.HasEventTime))
        {
            throw new UsageException($"--investigators needs the truth and a clock, and {source.Description} has {(source.HasLabels ? "no event time" : "no labels")}: use the simulator, or a labelled file with timestamps");
        }

        var models = ModelFiles.Open(settings.Detector, settings.Onnx);
        var features = models?.FeaturesFor(FeaturesComputed()) ?? FeaturesComputed();
        if (settings.Kafka is not null && !features.IsEmpty && FeaturesComputed().IsEmpty)
        {
            throw new UsageException("the model reads features, and vigil demo --kafka on a shared cluster computes them only with --checkpoint FILE: add it, or run vigil features --kafka and vigil detect --input vigil.transactions.featured --model");
        }

        var learns = WantsRetraining(run, models, features);
        using var database = learns || settings.Cases.Enabled ? OpenDatabase() : null;
        var retraining = learns ? Retraining(database!, features) : null;
        var cases = settings.Cases.Enabled ? new CaseStore(database!, _run) : null;
        var ruleFiles = RuleFiles.Open(settings.Detector.Rules, settings.AmountThresholdFor(run.Profile), settings.Detector.AmountThreshold is not null, features);
        var rules = ruleFiles.Initial;
        var topology = new Topology(settings.Topics, rules, features, settings.Features.StageOptions(run.HasIdentities), settings.Pipeline)
        {
            Models = models?.Current,
            Taps = retraining?.Taps,
        };
        await using IPipelineTransport runtime = settings.Kafka is { } kafka
            ? new KafkaTransport(topology, kafka, Logs.CreateLogger(LogCategories.Kafka))
            : new InProcessTransport(topology);
        await runtime.PrepareAsync();

        // Everything that reads the outputs subscribes before the first record: embedded topics keep no history.
        var quality = source.HasLabels
            ? new QualityMonitor(runtime.Legit, runtime.Fraud, runtime.Labels, settings.Quality.MaxPending, shadow: models?.Current.Shadow is not null)
            : null;
        retraining?.Attach(runtime.Labels, m => runtime.Models = m);
        var intake = cases is null ? null : new CaseIntake(runtime.Fraud, cases, Logs.CreateLogger(LogCategories.Cases));
        var written = new List<Topic> { runtime.Legit, runtime.Fraud, runtime.DeadLetters };
        if (source.HasLabels)
        {
            written.Add(runtime.Labels);
        }

        var sinks = settings.OutputDirectory is null ? [] : written.Select(t => new JsonLinesSink(t, settings.OutputDirectory)).ToList();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var alerting = Alerts is { Any: true } alerts ? new AlertDispatcher(alerts.Sinks(http, ClientLines), new AlertOptions(), Logs.CreateLogger(LogCategories.Alerts), alerts.DashboardUrl) : null;
        var alertReaders = alerting?.Readers(runtime.Fraud) ?? [];
        var pacing = RunSource.Pacing(settings);
        var truth = settings.Cases.Investigators > 0 ? new GroundTruth(source, TimeSpan.FromDays(30)) : null;
        var publisher = new SourcePublisher(truth ?? source, runtime.Outputs(settings.LabelDelay), pacing, settings.Generator.Count ?? long.MaxValue);
        // An analyst's verdict is a label at once, written by the source with its reports (a source without labels has none to join).
        var verdicts = cases is not null && source.HasLabels ? new LabelVerdicts(publisher) : null;
        var review = cases is null ? null : new CaseReview(cases) { Capacity = settings.Cases.Capacity, Verdicts = verdicts };
        var investigators = truth is null ? null : new SimulatedInvestigators(review!, truth, settings.Cases.Investigators, CaughtUp, next: retraining);
        publisher.Barrier = (IEventTimeBarrier?)investigators ?? retraining;
        if (retraining is not null && !run.HasIdentities)
        {
            // A model takes over at the first record after a stop, at any speed: the stop waits for detection to decide
            // what was published. (An identities join holds its last transactions until newer ones come: not waited for.)
            retraining.CaughtUp = () => runtime.Status().Processed >= publisher.Produced;
        }

        // Everything published is decided (or dead-lettered) and every alert filed: the investigators see today's cases whole.
        bool CaughtUp()
        {
            var status = runtime.Status();
            return status.Processed >= publisher.Produced && intake!.Filed + intake.Unreadable + intake.NotFiled >= status.Fraud;
        }
        PipelineStatus Status() => runtime.Status() with
        {
            Quality = quality?.Snapshot(),
            Shadow = models?.Current.Shadow is { } shadowModel && quality?.ShadowSnapshot() is { } shadowQuality ? new(shadowModel.Version, shadowQuality) : null,
            EventTimeMs = source.HasEventTime && publisher.EventTimeMs > 0 ? publisher.EventTimeMs : null,
            Retraining = retraining?.Status(),
        };

        // With a model, the dashboard's server also decides single transactions as the stream would: the pipeline's
        // live features, its current rules, then the model.
        var liveRules = new LiveRules(rules, features, r => runtime.Rules = r, Logs.CreateLogger(LogCategories.Rules));
        using var scorer = models is not null && runtime is InProcessTransport
            ? new TransactionScorer(models.Current.Primary, runtime.Features, () => liveRules.Current)
            : null;
        var metrics = new ServiceMetrics(title == "Vigil replay" ? "replay" : "demo");
        PipelineMetrics.Add(metrics, Status, settings.Topics, settings.Topics.Transactions);
        if (alerting is not null)
        {
            AlertMetrics.Add(metrics, alerting);
        }

        // Analysts' routes: the review queue with cases, promoting a model by hand with the retraining loop.
        var reviewRoutes = review is null ? null : new ReviewEndpoints(review);
        var modelRoutes = retraining is null ? null : new ModelEndpoints(retraining, new AuditTrail(database!, _run));
        var dashboard = settings.Dashboard.Enabled
            ? await DashboardHosting.StartAsync(settings.Dashboard, runtime.Legit, runtime.Fraud, Status, console, Logs, metrics, scorer, stop, routes =>
            {
                reviewRoutes?.Map(routes);
                modelRoutes?.Map(routes);
            })
            : null;
        if (settings.Dashboard.Enabled && dashboard is null)
        {
            return 1;
        }

        var (operations, operationsFailed) = await OperationsPort.StartAsync(
            Operations, () => stop.IsCancellationRequested ? Readiness.No("stopping") : Readiness.Yes($"deciding {settings.Topics.Transactions}"),
            settings.Dashboard.Security, metrics, Logs, console, stop);
        if (operationsFailed)
        {
            await DashboardHosting.StopAsync(dashboard?.Server);
            return 1;
        }

        await using var operationsServer = operations;

        if (alerting is not null && Alerts!.DashboardUrl is null)
        {
            alerting.Dashboard = dashboard?.Server.Address;
        }

        PrintHeader(runtime, run, ruleFiles, models?.Current, pacing, dashboard?.Server.Address, scorer is not null, retraining, cases);

        Task? filing = null;

        // Sinks, dashboard, quality and detection are never cancelled: a stop drains them, it does not abandon records.
        var readers = sinks.Select(s => new OutputReader(s.Path, () => s.RunAsync())).ToList();
        if (dashboard is { Feed: var feed })
        {
            readers.Add(new OutputReader("the dashboard's feed", () => feed.RunAsync(CancellationToken.None)));
        }

        if (quality is not null)
        {
            readers.Add(new OutputReader("the quality monitor", quality.RunAsync));
        }

        if (retraining is not null)
        {
            readers.Add(new OutputReader("the retraining loop", retraining.RunAsync));
        }

        if (intake is not null)
        {
            readers.Add(new OutputReader("the case intake", () => filing = intake.RunAsync()));
        }

        readers.AddRange(alertReaders.Select(read => new OutputReader("alerts", () => Task.Run(read, CancellationToken.None))));
        var host = PipelineHost.CreateBuilder(Logs);
        if (alerting is not null)
        {
            host.Services.AddHostedService(_ => new AlertService(alerting));
        }

        host.Services.AddPipeline(runtime, publisher, readers, settings.Duration);
        if (models is not null)
        {
            host.Services.AddLoop(watching => models.WatchAsync(features, m =>
            {
                runtime.Models = m;
                scorer?.Swap(m.Primary);
            }, Logs.CreateLogger(LogCategories.Models), watching));
        }

        host.Services.AddLoop(watching => ruleFiles.WatchAsync(liveRules, watching));
        using var running = host.Build();
        var pipeline = running.Services.GetRequiredService<PipelineService>();
        var lifetime = running.Services.GetRequiredService<IHostApplicationLifetime>();
        var view = _view;
        using var stopping = stop.Register(() =>
        {
            view.Note = "stopping: deciding the records in flight (Ctrl+C again to abort)";
            lifetime.StopApplication();
        });
        try
        {
            await running.StartAsync(CancellationToken.None);
            await view.ShowUntilAsync(pipeline.Completion, Status);
            await pipeline.Completion;
        }
        finally
        {
            await running.StopAsync(CancellationToken.None);
            if (filing is { IsCompleted: false })
            {
                // A run that failed (a full disk) ends without its readers: the case intake stops before its database closes.
                intake!.Stop();
                await filing.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await DashboardHosting.StopAsync(dashboard?.Server);
            foreach (var sink in sinks)
            {
                await sink.DisposeAsync();
            }
        }

        var reason = run.StopReason(publisher, settings, stop);
        var status = Status();
        new Summary(title, run.Intake, status, reason, run.Seed,
                sinks.Select(s => (s.Path, s.Records, s.Bytes)).ToList(), dashboard?.Server.Address, dashboard?.Feed.SkippedRecords ?? 0)
            {
                InvalidRows = publisher.Invalid,
                InvalidExamples = run.InvalidExamples(),
                LabelsReleased = source.HasLabels ? publisher.LabelsReleased : null,
                LabelDelay = settings.LabelDelay,
            }
            .Print(console);
        if (models is not null)
        {
            var current = models.Current;
            Summary.TextRow(console, "model", $"{current.Primary.Version} ({current.Primary.Kind.Name()}, threshold {current.Primary.Threshold:G4})"
                + (current.Shadow is null ? string.Empty : $" · shadow {current.Shadow.Version}")
                + $" · {models.Swaps} swapped in, {models.Rejected} updates rejected");
            if (quality?.ShadowSnapshot() is { } shadow)
            {
                Summary.TextRow(console, "shadow", $"{StatusView.QualityLine(shadow)} · it flagged {shadow.Flagged:N0} ({shadow.AlertRate:P1}), deciding nothing");
            }
        }

        if (retraining is not null && status.Retraining is { } learned)
        {
            RetrainingSummary.Print(console, learned, publisher.BarrierWait, _registry);
        }

        if (intake is not null && review is not null)
        {
            CaseSummaryLine.Print(console, intake, review, verdicts);
        }

        if (investigators is not null)
        {
            var (fraud, genuine, unknown) = investigators.Decided;
            Summary.TextRow(console, "investigators", string.Create(CultureInfo.InvariantCulture,
                $"{settings.Cases.Investigators:N0} cases a day for {investigators.Days:N0} days: {fraud:N0} decided fraud, {genuine:N0} genuine, {unknown:N0} left open (their alerts older than the truth kept)"));
        }

        if (alerting is not null)
        {
            AlertSummary.Print(console, alerting);
        }

        if (ruleFiles.Document is not null)
        {
            Summary.TextRow(console, "rules", $"{liveRules.Current.Version} ({liveRules.Current.Rules.Count} rules) · {liveRules.Swaps} swapped in, {liveRules.Rejected} updates rejected");
        }

        if (settings.Quality.Report is { } report && status.Quality is { } snapshot)
        {
            QualityReportFile.Write(report, new QualityReportFile.Run(title, source.Description, liveRules.Current.Version, reason, run.Seed, settings.LabelDelay, status), snapshot);
            Summary.TextRow(console, "report", Path.GetFullPath(report));
        }

        return 0;
    }

    /// <summary>
    /// Whether the pipeline trains its own models: no model is given, <c>--retrain</c> is not false, and the source has
    /// what it needs: labels, event time, and features to learn from.
    /// </summary>
    private bool WantsRetraining(RunSource run, ModelFiles? models, FeatureSet features) =>
        settings.Retraining.Enabled && models is null && run.Source.HasLabels && run.Source.HasEventTime && !features.IsEmpty;

    /// <summary>
    /// Vigil's database, migrated: SQLite in the data folder, or PostgreSQL; one that cannot be used is one line, exit
    /// code 2. Names this run (its start, to the second; unique among the model folders) for the models and cases it keeps.
    /// </summary>
    private VigilDatabase OpenDatabase()
    {
        var runs = Path.Combine(settings.Retraining.DataDirectory, "models");
        _run = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        for (var n = 2; Directory.Exists(Path.Combine(runs, _run)); n++)
        {
            _run = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{n}";
        }

        return settings.Retraining.OpenDatabase();
    }

    /// <summary>The loop, keeping its models in the database and their files in a folder of this run.</summary>
    private RetrainingLoop Retraining(VigilDatabase database, FeatureSet features)
    {
        _registry = new DatabaseModelRegistry(database, new ModelFolder(Path.Combine(settings.Retraining.DataDirectory, "models", _run)), _run);

        // As fast as it goes, the source waits while a model trains: training may take every core.
        var options = RunSource.Pacing(settings).IsUnlimited ? settings.Retraining.Options with { TrainingThreads = Environment.ProcessorCount } : settings.Retraining.Options;
        return new RetrainingLoop(options, features, _registry, Logs.CreateLogger(LogCategories.Models));
    }

    /// <summary>
    /// The features the pipeline computes before detection. On a Kafka cluster shared with other runs, a feature stage
    /// without a checkpoint starts at the topics' beginnings: it would republish their whole history to the detector
    /// on every run. So there the demo computes features only with <c>--checkpoint</c>; the mock cluster is new each run.
    /// </summary>
    private FeatureSet FeaturesComputed() =>
        settings.Kafka is { IsMock: false } && settings.Features.Checkpoint is null ? FeatureSet.None : settings.Features.Set;

    private void PrintHeader(
        IPipelineTransport runtime, RunSource run, RuleFiles rules, DetectionModels? models, SourcePacing pacing, Uri? dashboard, bool scoring, RetrainingLoop? retraining, CaseStore? cases)
    {
        var model = models is null ? string.Empty
            : $" · model {models.Primary.Version}" + (models.Shadow is null ? string.Empty : $" (shadow {models.Shadow.Version})");
        console.MarkupLine($"[bold]{Markup.Escape(title)}[/] · {Markup.Escape(runtime.Description)} · [bold]{Markup.Escape(rules.Describe())}[/]{Markup.Escape(model)}");
        console.MarkupLine($"source:    {Markup.Escape(run.Source.Description)} · {Markup.Escape(pacing.Describe())}");
        if (run.Details is { } details)
        {
            console.MarkupLine($"           [grey]{Markup.Escape(details)}[/]");
        }

        if (run.Source.HasLabels)
        {
            console.MarkupLine($"labels:    {Markup.Escape(settings.Topics.Labels)}, each {Markup.Escape(StatusView.Delay(settings.LabelDelay))} of event time after its transaction; quality is measured against them");
        }

        if (retraining is not null)
        {
            var o = settings.Retraining.Options;
            console.MarkupLine(Markup.Escape($"models:    trained here from the decisions and their labels: the first once labels span {StatusView.Delay(o.FirstAfter)} with {o.MinFrauds} frauds, then every {StatusView.Delay(o.Every)} on {StatusView.Delay(o.Window)} of labels{(o.LearnFromVerdicts ? " and the analysts' verdicts since (each judged on what is decided after its training)" : string.Empty)}; each judged in shadow, promoted when it beats the deciding model{(o.Training.Boosting.ThresholdRule is { } rule ? $"; thresholds set for {rule.Describe()}" : string.Empty)}"));
            console.MarkupLine($"           [grey]kept in {Markup.Escape(_registry!.Location)} · --retrain false to decide with the rules alone[/]");
        }

        if (cases is not null)
        {
            var capacity = settings.Cases.Capacity is { } c ? $" · capacity {c:N0} cases a day" : string.Empty;
            console.MarkupLine(Markup.Escape($"cases:     every alert opens or joins its card's case in {cases.Location}{capacity}"
                + (dashboard is null ? string.Empty : "; review them on the dashboard") + (run.Source.HasLabels ? ", each verdict a label at once" : string.Empty)));
        }

        if (dashboard is not null)
        {
            console.MarkupLine($"dashboard: [link]{dashboard}[/] · {Markup.Escape(settings.Dashboard.Security.Describe())}");
            if (scoring)
            {
                console.MarkupLine($"score:     POST {dashboard}v1/score · one transaction JSON, decided on the pipeline's live features and rules");
            }
        }

        if (settings.OutputDirectory is not null)
        {
            console.MarkupLine($"output:    {Markup.Escape(Path.GetFullPath(settings.OutputDirectory))}");
        }

        var limits = new List<string>();
        if (settings.Duration is { } d)
        {
            limits.Add($"for {d.TotalSeconds:N0} s");
        }

        if (settings.Generator.Count is { } n)
        {
            limits.Add($"for {n:N0} transactions");
        }

        limits.Add("until the source ends or Ctrl+C");
        console.MarkupLine($"[grey]running {string.Join(" or ", limits)}[/]");
    }
}
