using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Vigil.Detection;
using Vigil.Features;
using Vigil.Labels;
using Vigil.Learning.Data;
using Vigil.Learning.Training;
using Vigil.Models;
using Vigil.Runtime.Pipeline;
using Vigil.Runtime.Quality;
using Vigil.Runtime.Sources;
using Vigil.Runtime.Topics;

namespace Vigil.Learning.Retraining;

/// <summary>
/// The pipeline trains its own models: it keeps the model inputs of every decision (<see cref="DecisionRows"/>), joins
/// them with the labels as they mature, trains a challenger on a sliding window of labelled transactions, judges it
/// against the champion on labels that matured after its training, and promotes it when it is better by a margin.
/// </summary>
/// <remarks>
/// The loop stops the source once a day of event time (<see cref="IEventTimeBarrier"/>): there it reads every label
/// released so far, judges, trains and measures drift, so that a run decides the same way whatever its speed. At a
/// real pace a day of event time is a day, and a training of a few seconds is never waited for; at full speed the
/// source waits while a model trains, and detection idles rather than racing weeks ahead of its models. Models are
/// installed whole between two records: a challenger in shadow beside the champion, a promoted one as the champion.
/// </remarks>
public sealed class RetrainingLoop : IEventTimeBarrier
{
    public const string Group = "vigil-retraining";

    private const int DriftInputsShown = 3;

    /// <summary>
    /// The most any input may move (population stability index) between a training window and the days after it for
    /// the analysts' verdicts of those days to be fitted on: under 0.1 reads as stable.
    /// </summary>
    private const double MaxVerdictDrift = 0.1;

    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private static readonly TimeSpan DrainInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaturityWindow = TimeSpan.FromDays(14);
    private static readonly TimeSpan DriftWindow = TimeSpan.FromDays(7);

    /// <summary>How long a stop waits for a label's row once no row has come.</summary>
    private static readonly TimeSpan RowPatience = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a label may wait for its row before it is forgotten.</summary>
    private static readonly TimeSpan EarlyLabelLife = TimeSpan.FromSeconds(60);

    private readonly RetrainingOptions _options;
    private readonly FeatureSet _features;
    private readonly DecisionRows _rows;
    private readonly LabelledRows _window;
    private readonly List<Subscription> _labels = [];
    private readonly IModelRegistry? _registry;
    private readonly ILogger _logger;
    private readonly TimeSpan _labelWait;
    private readonly TaskScheduler _training;
    private readonly Lock _gate = new();

    /// <summary>Held while the deciding models change (a verdict, a challenger installed, a promotion by hand), so that changes and installs come in order.</summary>
    private readonly Lock _change = new();
    private readonly List<ModelRecord> _models = [];

    /// <summary>Every model trained, by number: an earlier one can be put back by hand.</summary>
    private readonly Dictionary<int, Trained> _trained = [];

    /// <summary>Which model decided from when (event time), in order: for the quality history.</summary>
    private readonly List<(long FromMs, string Version)> _deciding = [];
    private readonly List<QualityPoint> _history = [];
    private Action<DetectionModels?>? _install;
    private Model? _champion;
    private Trained? _challenger;
    private Drift? _drift;
    private long _nextMs = long.MinValue;
    private long _lastTrainedMs = long.MinValue;
    private long _labelsRead;
    private long _historyLabel;
    private string _state = "waiting for the first transaction";
    private double? _maturity;
    private double? _scoreDrift;
    private IReadOnlyList<InputDrift> _inputDrift = [];
    private IReadOnlyList<TradeOffPoint> _tradeOff = [];

    /// <param name="registry">Where models are kept (files, a database); null to keep them in memory only.</param>
    /// <param name="labelWait">How long a stop waits for the labels released so far to be read, at most.</param>
    public RetrainingLoop(RetrainingOptions options, FeatureSet features, IModelRegistry? registry, ILogger logger, TimeSpan? labelWait = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _features = features;
        _registry = registry;
        _logger = logger;
        _labelWait = labelWait ?? TimeSpan.FromSeconds(60);
        Inputs = TrainingSetReader.FeatureInputs(features);
        _rows = new DecisionRows(Inputs, features);
        _window = new LabelledRows(Inputs.Count, options.MaxRows);
        _training = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, Math.Max(1, options.TrainingThreads)).ConcurrentScheduler;
    }

    /// <summary>
    /// Subscribes to the labels topic (before anything is published: embedded topics keep no history) and says how to
    /// swap the models the detectors score with (null: the rules alone), between two records. Call once, before <see cref="RunAsync"/>.
    /// </summary>
    public void Attach(Topic labels, Action<DetectionModels?> install, int queueCapacity = 8)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(install);
        if (_install is not null)
        {
            throw new InvalidOperationException("The retraining loop is already attached to a pipeline.");
        }

        _install = install;
        _labels.AddRange(labels.Subscribe(Group, SubscriptionMode.Blocking, queueCapacity));
    }

    /// <summary>What every model of the loop reads: the pipeline's features, the amount, and the amount against the customer's usual ones.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Makes the tap of each detection processor (<c>Topology.Taps</c>).</summary>
    public Func<IDecisionTap> Taps => _rows.CreateTap;

    public long NextMs => Volatile.Read(ref _nextMs);

    /// <summary>
    /// Whether detection has decided everything the source published. A stop waits for it (as long as it waits for
    /// labels, at most) before it judges or trains: a model then takes over at the first record after the stop, and a
    /// run decides the same at any speed. Null: not waited for (decisions in flight may meet the new model or the old).
    /// </summary>
    public Func<bool>? CaughtUp { get; set; }

    /// <summary>Reads the labels and drains the taps until the labels topic completes (the pipeline drained).</summary>
    public async Task RunAsync()
    {
        var reading = Task.WhenAll(_labels.Select(s => Task.Run(() => ReadLabelsAsync(s), CancellationToken.None)));
        while (!reading.IsCompleted)
        {
            await Task.WhenAny(reading, Task.Delay(DrainInterval));
            Drain();
        }

        await reading;
    }

    public async ValueTask ReachedAsync(long eventTimeMs, long labelsReleased, CancellationToken cancel)
    {
        var waiting = Stopwatch.StartNew();
        if (CaughtUp is { } caughtUp)
        {
            while (!caughtUp())
            {
                if (waiting.Elapsed > _labelWait)
                {
                    _logger.DetectionLate(_labelWait.TotalSeconds);
                    break;
                }

                await Task.Delay(1, cancel);
            }
        }

        while (Interlocked.Read(ref _labelsRead) < labelsReleased)
        {
            if (waiting.Elapsed > _labelWait)
            {
                _logger.LabelsLate(Interlocked.Read(ref _labelsRead), labelsReleased, _labelWait.TotalSeconds);
                break;
            }

            await Task.Delay(1, cancel);
        }

        await AwaitRowsAsync(waiting, cancel);
        lock (_gate)
        {
            _window.ForgetEarlyLabels(Stopwatch.GetTimestamp() - (long)(EarlyLabelLife.TotalSeconds * Stopwatch.Frequency));
            Measure(eventTimeMs);
        }

        Judge(eventTimeMs);

        if (_challenger is null && TrainingDue(eventTimeMs))
        {
            await TrainAsync(eventTimeMs, cancel);
        }

        Volatile.Write(ref _nextMs, eventTimeMs + (long)Day.TotalMilliseconds);
    }

    /// <summary>
    /// Waits while labels that came before their row are being matched: a detector on Kafka may lag the source by
    /// more than the labels' delay at full speed. Stops once no label has found its row for a moment (the rest were
    /// dead-lettered or are lost), or at the wait's bound.
    /// </summary>
    private async Task AwaitRowsAsync(Stopwatch waiting, CancellationToken cancel)
    {
        Drain();
        var early = EarlyLabels();
        var progress = Stopwatch.StartNew();
        while (early > 0 && progress.Elapsed < RowPatience && waiting.Elapsed < _labelWait)
        {
            await Task.Delay(5, cancel);
            Drain();
            var now = EarlyLabels();
            if (now < early)
            {
                progress.Restart();
            }

            early = now;
        }
    }

    private int EarlyLabels()
    {
        lock (_gate)
        {
            return _window.EarlyLabels;
        }
    }

    public RetrainingStatus Status()
    {
        lock (_gate)
        {
            return new RetrainingStatus(_state, [.. _models], _maturity, _scoreDrift, _inputDrift, [.. _history], _window.Count, _rows.Dropped, _tradeOff);
        }
    }

    private void Drain()
    {
        lock (_gate)
        {
            _rows.DrainInto(_window);
        }
    }

    private Task ReadLabelsAsync(Subscription subscription)
    {
        var labels = new LabelBatch();
        return subscription.ReadAllAsync(batch =>
        {
            labels.Decode(batch);
            lock (_gate)
            {
                // Rows first: a label must find the row decided before it was released.
                _rows.DrainInto(_window);
                var now = Stopwatch.GetTimestamp();
                for (var i = 0; i < labels.Count; i++)
                {
                    if (labels.TryGet(i, out var label))
                    {
                        _window.Label(label, now);
                    }
                }
            }

            Interlocked.Add(ref _labelsRead, batch.Count);
        });
    }

    private bool TrainingDue(long nowMs)
    {
        if (_lastTrainedMs != long.MinValue)
        {
            return nowMs >= _lastTrainedMs + (long)_options.Every.TotalMilliseconds;
        }

        lock (_gate)
        {
            var (rows, frauds, first, last) = _window.Labelled(reportsOnly: true);
            var span = rows == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(last - first);
            if (span >= _options.FirstAfter && frauds >= _options.MinFrauds)
            {
                return true;
            }

            _state = _window.Count == 0 && _rows.Unusable > 0
                ? string.Create(CultureInfo.InvariantCulture, $"rules decide alone; none of the {_rows.Unusable:N0} decisions so far has both a transaction_id and a timestamp, so no label can be joined to them")
                : string.Create(CultureInfo.InvariantCulture,
                    $"rules decide alone; the first model trains once labels span {Days(_options.FirstAfter)} with {_options.MinFrauds} frauds (now {Days(span)}, {frauds})");
            return false;
        }
    }

    private async Task TrainAsync(long nowMs, CancellationToken stop)
    {
        TrainingSet rows;
        int verdicts;
        Drift? drift;
        var leftOut = string.Empty;
        long labelsBefore, reportsEndMs;
        int number;
        lock (_gate)
        {
            // The window ends at the newest report. Analysts' verdicts label the alerts of the days after it and nothing
            // else there, a sample unlike the stream (nearly all fraud, all flagged): by default a model learns from
            // them once their reports come; with LearnFromVerdicts it is fitted on them too, but tuned on reports.
            reportsEndMs = _window.Labelled(reportsOnly: true).LastMs;
            var from = reportsEndMs - (long)_options.Window.TotalMilliseconds;
            labelsBefore = _window.LabelsRead;
            (rows, verdicts) = _options.LearnFromVerdicts
                ? _window.SelectWithVerdicts(Inputs, from, labelsBefore, _options.Training.Kind == ModelKind.GradientBoostedTrees ? _options.Training.Boosting.ValidationFraction : 0)
                : (_window.Select(Inputs, from, 0, labelsBefore, reportsOnly: true), 0);
            drift = verdicts > 0 ? Drift.Of(rows) : null;
            if (drift is not null && MovedSince(drift, reportsEndMs) is { } moved)
            {
                // The verdicts' days do not look like the reports' (the 30-day counters of a young stream still fill
                // up): a model fitted on them would learn that recent means fraud, the only label those days have.
                rows = _window.Select(Inputs, from, 0, labelsBefore, reportsOnly: true);
                (verdicts, drift) = (0, null);
                leftOut = string.Create(CultureInfo.InvariantCulture,
                    $", the analysts' verdicts left out: the days since moved from these ({moved.Input} PSI {moved.Index:F2}, at most {MaxVerdictDrift:F2} taken)");
            }
            number = _models.Count + 1;
            if (rows.Frauds < _options.MinFrauds)
            {
                _state = $"model {number} waits: {rows.Frauds} frauds labelled in its window, it needs {_options.MinFrauds}";
                return;
            }

            _state = $"training model {number} on {rows.Rows:N0} transactions ({rows.Frauds:N0} frauds{Verdicts(verdicts)})";
        }

        var (first, last) = (rows.TimesMs.Min(), rows.TimesMs.Max());
        var description = $"the pipeline's decisions from {Date(first)} to {Date(last)} with their labels{Verdicts(verdicts)}{leftOut}";
        var progress = new Progress(p =>
        {
            lock (_gate)
            {
                _state = $"training model {number} on {rows.Rows:N0} transactions ({rows.Frauds:N0} frauds{Verdicts(verdicts)}): {p.Status}";
            }
        });
        var clock = Stopwatch.StartNew();
        Model model;
        try
        {
            // The trainer's parallel loops run on the scheduler they start from: this one bounds them to TrainingThreads.
            model = await Task.Factory.StartNew(
                () => ModelTrainer.Train(_options.Training, rows, _features, description, progress, stop), stop, TaskCreationOptions.None, _training);
        }
#pragma warning disable CA1031 // A training that fails leaves the deciding model in place; the loop tries again the next day.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            _logger.TrainingFailed(number, e.Message);
            lock (_gate)
            {
                _state = $"training model {number} failed ({e.Message}); trying again tomorrow";
            }

            return;
        }

        model.Version = string.Create(CultureInfo.InvariantCulture, $"auto-{number:000}-{DateTimeOffset.FromUnixTimeMilliseconds(nowMs):yyyyMMdd}");
        var record = new ModelRecord(number, model.Version, model.Kind.Name(), nowMs, rows.Rows, rows.Frauds, first, last, model.Threshold);
        try
        {
            record = record with { Path = _registry?.Keep(record, model) };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.NotKept(model.Version, e.Message);
        }

        // Fitted on verdicts, a model is judged only on what was decided after its training, once reported: the labels
        // maturing meanwhile are the reports of the rows whose verdicts it learned. That waits as long as the reports lag.
        var trained = new Trained(model, number, nowMs, labelsBefore, drift ?? Drift.Of(rows), verdicts == 0 ? null : Math.Max(0, nowMs - reportsEndMs));
        _logger.ModelTrained(model.Version, rows.Rows, rows.Frauds, clock.Elapsed.TotalSeconds, model.Threshold);
        lock (_change)
        {
            DetectionModels? installed;
            lock (_gate)
            {
                _models.Add(record);
                _trained[number] = trained;
                _challenger = trained;
                _lastTrainedMs = nowMs;
                _state = $"model {number} in shadow; judged on the labels maturing from {Date(trained.EvaluatedFromMs)} to {Date(trained.EvaluatedFromMs + (long)_options.Evaluation.TotalMilliseconds)}"
                    + (trained.ReportsLagMs is null ? string.Empty : $" for what is decided from {Date(nowMs)}");
                installed = _champion is null ? null : new DetectionModels(_champion, model);
            }

            if (installed is not null)
            {
                _install?.Invoke(installed);
            }

            Save();
        }
    }

    /// <summary>The challenger against the champion on the labels that matured since the challenger's training, once its evaluation period has passed.</summary>
    private void Judge(long nowMs)
    {
        lock (_change)
        {
            if (_challenger is { } challenger && nowMs >= challenger.EvaluatedFromMs + (long)_options.Evaluation.TotalMilliseconds)
            {
                Judge(challenger, nowMs);
            }
        }
    }

    private void Judge(Trained challenger, long nowMs)
    {
        TrainingSet rows;
        byte[] flags;
        lock (_gate)
        {
            rows = _window.Select(Inputs, challenger.JudgedFromMs, challenger.LabelsBefore, reportsOnly: true);
            flags = _window.Flags(challenger.JudgedFromMs, challenger.LabelsBefore, reportsOnly: true);
        }

        var giveUp = nowMs >= challenger.EvaluatedFromMs + (long)_options.Every.TotalMilliseconds;
        if (rows.Frauds < _options.MinEvaluationFrauds && !giveUp)
        {
            lock (_gate)
            {
                _state = $"model {challenger.Number} in shadow; {rows.Frauds} of the {_options.MinEvaluationFrauds} frauds its verdict needs have matured";
            }

            return;
        }

        var theirs = Outcome.Of(_champion, rows, flags, out _);
        var ours = Outcome.Of(challenger.Model, rows, flags, out var scores);
        var enough = rows.Frauds >= _options.MinEvaluationFrauds;
        var promoted = enough && ours.F1 >= theirs.F1 + _options.Margin;
        var against = _champion?.Version ?? "rules";
        var reason = !enough ? $"only {rows.Frauds} frauds matured since its training; {_options.MinEvaluationFrauds} are needed"
            : promoted ? string.Create(CultureInfo.InvariantCulture, $"F1 {ours.F1:F3} against {theirs.F1:F3} for {against}")
            : string.Create(CultureInfo.InvariantCulture, $"F1 {ours.F1:F3} does not beat {against}'s {theirs.F1:F3} by {_options.Margin:F3}");
        var verdict = new Verdict(against, rows.Rows, rows.Frauds, ours.F1, theirs.F1, ours.Precision, ours.Recall, theirs.Precision, theirs.Recall, promoted, reason);
        DetectionModels? installed;
        lock (_gate)
        {
            var at = _models.FindIndex(m => m.Number == challenger.Number);
            _models[at] = _models[at] with { State = promoted ? ModelState.Champion : ModelState.Rejected, JudgedAtMs = nowMs, Verdict = verdict };
            if (promoted)
            {
                TakeOver(challenger, nowMs, rows, flags, scores!);
            }

            _challenger = null;
            _state = _champion is null ? "rules decide alone; the next model trains " + Date(_lastTrainedMs + (long)_options.Every.TotalMilliseconds)
                : $"{_champion.Version} decides; the next challenger trains {Date(_lastTrainedMs + (long)_options.Every.TotalMilliseconds)}";
            installed = _champion is null ? null : new DetectionModels(_champion);
        }

        if (promoted)
        {
            _logger.ModelPromoted(challenger.Model.Version, against, reason);
        }
        else
        {
            _logger.ModelRejected(challenger.Model.Version, against, reason);
        }

        _install?.Invoke(installed);
        Save();
    }

    /// <summary>
    /// Puts a model this loop trained to decide from now on, by an analyst's hand rather than by its verdict: the
    /// challenger before its evaluation period ends, or an earlier model back (a rollback). The champion retires; a
    /// challenger in shadow stays there and is judged against the new champion. The model's verdict records who promoted
    /// it, their note, and how it and the champion fared on the labels matured since its training.
    /// </summary>
    /// <exception cref="KeyNotFoundException">This loop trained no such model.</exception>
    /// <exception cref="ModelConflictException">The model decides already.</exception>
    public Promotion Promote(int number, string actor, string? note)
    {
        ArgumentNullException.ThrowIfNull(actor);
        lock (_change)
        {
            Trained model;
            TrainingSet rows;
            byte[] flags;
            lock (_gate)
            {
                var record = _models.Find(m => m.Number == number);
                if (record is null || !_trained.TryGetValue(number, out model!))
                {
                    throw new KeyNotFoundException(_models.Count == 0 ? $"there is no model {number}: none has been trained yet" : $"there is no model {number}: models 1 to {_models.Count} were trained");
                }

                if (record.State == ModelState.Champion)
                {
                    throw new ModelConflictException($"{record.Version} decides already");
                }

                rows = _window.Select(Inputs, model.JudgedFromMs, model.LabelsBefore, reportsOnly: true);
                flags = _window.Flags(model.JudgedFromMs, model.LabelsBefore, reportsOnly: true);
            }

            var theirs = Outcome.Of(_champion, rows, flags, out _);
            var ours = Outcome.Of(model.Model, rows, flags, out var scores);
            var against = _champion?.Version ?? "rules";
            var reason = string.Create(CultureInfo.InvariantCulture,
                $"promoted by hand by {actor}{(string.IsNullOrWhiteSpace(note) ? string.Empty : $" ({note.Trim()})")}; F1 {ours.F1:F3} against {theirs.F1:F3} for {against} on the {rows.Frauds:N0} frauds matured since its training");
            var verdict = new Verdict(against, rows.Rows, rows.Frauds, ours.F1, theirs.F1, ours.Precision, ours.Recall, theirs.Precision, theirs.Recall, Promoted: true, reason);
            Promotion promotion;
            DetectionModels installed;
            lock (_gate)
            {
                var nowMs = _window.Count == 0 ? Math.Max(_lastTrainedMs, model.TrainedAtMs) : _window.LatestMs;
                var at = _models.FindIndex(m => m.Number == number);
                var replaced = _models.FindIndex(m => m.State == ModelState.Champion);
                var before = _models[at].State;
                _models[at] = _models[at] with { State = ModelState.Champion, JudgedAtMs = nowMs, RetiredAtMs = null, Verdict = verdict };
                TakeOver(model, nowMs, rows, flags, scores!);
                promotion = new Promotion(_models[at], before, replaced < 0 ? null : _models[replaced]);
                if (_challenger?.Number == number)
                {
                    _challenger = null;
                }

                _state = $"{model.Model.Version} decides, promoted by hand by {actor}";
                installed = new DetectionModels(model.Model, _challenger?.Model);
            }

            _logger.ModelPromotedByHand(model.Model.Version, against, actor);
            _install?.Invoke(installed);
            Save();
            return promotion;
        }
    }

    /// <summary>Label maturity, the day's quality and drift; under the lock.</summary>
    /// <remarks>
    /// Windows end at the newest decision drained rather than at the stop: the detectors may still be deciding the
    /// last hours published, and a window cut short would miss part of a day of the week.
    /// </remarks>
    private void Measure(long nowMs)
    {
        var newest = _window.Count == 0 ? nowMs : _window.LatestMs;
        var (labelled, all) = _window.Maturity(newest - (long)MaturityWindow.TotalMilliseconds);
        _maturity = all == 0 ? null : (double)labelled / all;
        var day = _window.Outcomes(_historyLabel);
        if (day.Rows > 0)
        {
            var precision = day.Flagged == 0 ? 1 : (double)day.Caught / day.Flagged;
            var recall = day.Frauds == 0 ? 1 : (double)day.Caught / day.Frauds;
            _history.Add(new QualityPoint(day.FirstMs, DecidingAt(day.FirstMs), day.Rows, day.Frauds, precision, recall));
            _historyLabel = _window.LabelsRead;
        }

        if (_drift is { } drift)
        {
            // A full week, for inputs that follow the days of the week; scores only from the champion's promotion on.
            var (scores, values, rows) = _window.Recent(newest - (long)DriftWindow.TotalMilliseconds, _models.Last(m => m.State == ModelState.Champion).JudgedAtMs ?? nowMs);
            if (rows > 0)
            {
                (_scoreDrift, _inputDrift) = drift.Measure(scores, values, rows, DriftInputsShown);
            }
        }
    }

    /// <summary>The version of the model that decided at an event time, or "rules".</summary>
    private string DecidingAt(long timeMs)
    {
        var version = "rules";
        foreach (var (fromMs, deciding) in _deciding)
        {
            if (fromMs > timeMs)
            {
                break;
            }

            version = deciding;
        }

        return version;
    }

    /// <summary>A model becomes the champion from <paramref name="nowMs"/> on (its record already says so); the one deciding before retires. Under the gate.</summary>
    /// <param name="scores">Its scores on <paramref name="rows"/>, the labelled rows it was judged on.</param>
    private void TakeOver(Trained model, long nowMs, TrainingSet rows, byte[] flags, double[] scores)
    {
        var old = _models.FindIndex(m => m.State == ModelState.Champion && m.Number != model.Number);
        if (old >= 0)
        {
            _models[old] = _models[old] with { State = ModelState.Retired, RetiredAtMs = nowMs };
        }

        _champion = model.Model;
        _drift = rows.Rows == 0 ? model.Drift : model.Drift.WithScores(scores);
        _tradeOff = rows.Rows == 0 ? [] : TradeOffCurve.Of(scores, rows, flags);
        _deciding.Add((nowMs, model.Model.Version));
    }

    private void Save()
    {
        if (_registry is null)
        {
            return;
        }

        IReadOnlyList<ModelRecord> models;
        lock (_gate)
        {
            models = [.. _models];
        }

        try
        {
            _registry.Save(models);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.NotKept("the list of models", e.Message);
        }
    }

    private static string Date(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The input that moved most between a training set (<paramref name="drift"/>, its inputs' distributions) and the
    /// rows decided after <paramref name="sinceMs"/>, where it moved more than <see cref="MaxVerdictDrift"/>; null where none did.
    /// </summary>
    private InputDrift? MovedSince(Drift drift, long sinceMs)
    {
        var (scores, values, recent) = _window.Recent(sinceMs + 1);
        if (recent == 0)
        {
            return null;
        }

        var moved = drift.Measure(scores, values, recent, shown: 1).Inputs[0];
        return moved.Index > MaxVerdictDrift ? moved : null;
    }

    private static string Verdicts(int rows) => rows == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $", {rows:N0} labelled by analysts' verdicts");

    private static string Days(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0.#} d");

    /// <summary>What a promotion by hand changed: the model, its state before, and the champion it replaced (none while the rules decided alone).</summary>
    public sealed record Promotion(ModelRecord Model, ModelState Before, ModelRecord? Replaced);

    /// <summary>A model the loop trained, with what judging it needs: the labels read before its training, its inputs' distributions.</summary>
    /// <param name="ReportsLagMs">
    /// For a model fitted on analysts' verdicts, how far the reports lagged its training: it is judged only on what is
    /// decided after its training, once reported, so that much later. Null for a model fitted on reports alone.
    /// </param>
    private sealed record Trained(Model Model, int Number, long TrainedAtMs, long LabelsBefore, Drift Drift, long? ReportsLagMs)
    {
        /// <summary>The rows it is judged on are those decided from this time and labelled after its training.</summary>
        public long JudgedFromMs => ReportsLagMs is null ? long.MinValue : TrainedAtMs;

        /// <summary>When its evaluation period starts counting: its training, later by the reports' lag where it is judged out of time.</summary>
        public long EvaluatedFromMs => TrainedAtMs + (ReportsLagMs ?? 0);
    }

    /// <summary>How a model deciding with the rules fares on labelled rows: it flags what a flag rule flags or it scores at its threshold, unless an allow rule cleared it.</summary>
    private readonly record struct Outcome(double Precision, double Recall, double F1)
    {
        public static Outcome Of(Model? model, TrainingSet rows, byte[] flags, out double[]? scores)
        {
            scores = model is null ? null : Scores.Of(model, rows);
            int caught = 0, flagged = 0;
            for (var i = 0; i < rows.Rows; i++)
            {
                var rule = (flags[i] & LabelledRows.RuleFlag) != 0;
                var fraud = (flags[i] & LabelledRows.AllowedFlag) == 0 && (rule || (scores is not null && scores[i] >= model!.Threshold));
                flagged += fraud ? 1 : 0;
                caught += fraud && rows.Labels[i] == 1 ? 1 : 0;
            }

            var precision = flagged == 0 ? 0 : (double)caught / flagged;
            var recall = rows.Frauds == 0 ? 0 : (double)caught / rows.Frauds;
            return new(precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
        }
    }

    /// <summary>
    /// What recent decisions are compared with: the inputs of the model's training rows, and its scores on the rows it
    /// was judged on (its scores on its own training rows are more confident than on any new ones).
    /// </summary>
    private sealed class Drift(PopulationStability? score, PopulationStability[] inputs, IReadOnlyList<string> names)
    {
        public static Drift Of(TrainingSet rows)
        {
            var column = new double[rows.Rows];
            var inputs = new PopulationStability[rows.Width];
            for (var j = 0; j < rows.Width; j++)
            {
                for (var i = 0; i < rows.Rows; i++)
                {
                    column[i] = rows.Value(i, j);
                }

                inputs[j] = PopulationStability.Of(column);
            }

            return new Drift(null, inputs, rows.Inputs);
        }

        public Drift WithScores(double[] judged) => new(PopulationStability.Of(judged), inputs, names);

        public (double? Score, IReadOnlyList<InputDrift> Inputs) Measure(float[] scores, float[] values, int rows, int shown)
        {
            var column = new double[rows];
            var known = 0;
            for (var i = 0; i < rows; i++)
            {
                if (!float.IsNaN(scores[i]))
                {
                    column[known++] = scores[i];
                }
            }

            double? scoreIndex = known == 0 || score is null ? null : score.Index(column.AsSpan(0, known));
            var drifts = new List<InputDrift>(inputs.Length);
            for (var j = 0; j < inputs.Length; j++)
            {
                for (var i = 0; i < rows; i++)
                {
                    column[i] = values[(i * inputs.Length) + j];
                }

                drifts.Add(new InputDrift(names[j], inputs[j].Index(column)));
            }

            return (scoreIndex, [.. drifts.OrderByDescending(d => d.Index).Take(shown)]);
        }
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
