using System.Text.Json;
using Vigil.Features;
using Vigil.Detection;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Runtime.Features;
using Vigil.Runtime.Metrics;
using Vigil.Transactions;

namespace Vigil.Web.Scoring;

/// <summary>
/// Scores one transaction JSON for <c>/v1/score</c>: the features it carries (a <c>"features"</c> object, as the
/// pipeline's records have); else, inside a pipeline, what the pipeline's live state gives it, leaving that state to
/// the stream; else the server's own live feature state, which every scored transaction updates, so that a stream of
/// requests gets the same windows the pipeline would compute.
/// </summary>
/// <remarks>
/// The server's feature state is sharded by customer and by terminal, each shard locked for the microsecond a
/// computation takes, so requests compute in parallel; the model is swapped whole. Each thread keeps its own decoder,
/// transaction and rows, so a score allocates nothing but what it writes.
/// </remarks>
public sealed class TransactionScorer : IDisposable
{
    private readonly ThreadLocal<Scratch> _scratch = new(() => new Scratch());
    private readonly PipelineFeatures? _pipeline;
    private readonly Func<RuleSet>? _rules;
    private readonly ScoringOptions _options;
    private volatile State _state;
    private long _flagged;
    private long _passed;

    /// <param name="Features">The features computed for a request: the pipeline's set, or the model's own.</param>
    /// <param name="Engine">The server's own feature state; null inside a pipeline.</param>
    private sealed record State(Model Model, InputColumns Columns, FeatureSet Features, ShardedFeatureEngine? Engine);

    /// <param name="pipeline">The running pipeline's feature state, whose set holds every feature the model reads; null to keep state here.</param>
    /// <param name="rules">The pipeline's current rules, applied with the model as the stream applies them; null: the model decides alone.</param>
    public TransactionScorer(Model model, PipelineFeatures? pipeline = null, Func<RuleSet>? rules = null, ScoringOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _pipeline = pipeline;
        _rules = rules;
        _options = options ?? new ScoringOptions();
        _state = NewState(model, current: null);
    }

    public Model Model => _state.Model;

    public void Dispose() => _scratch.Dispose();

    public InputColumns Columns => _state.Columns;

    /// <summary>Swaps the model; the feature state is kept when the new model reads the same features.</summary>
    public void Swap(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _state = NewState(model, _state);
    }

    private State NewState(Model model, State? current)
    {
        if (_pipeline is { } pipeline)
        {
            return new State(model, new InputColumns(model), pipeline.Set, Engine: null);
        }

        var sameFeatures = current?.Engine is not null && current.Model.Features.Definitions.SequenceEqual(model.Features.Definitions);
        return new State(model, new InputColumns(model), model.Features, sameFeatures ? current!.Engine : new ShardedFeatureEngine(model.Features, limits: _options.Limits));
    }

    /// <summary>Transactions and rows scored, by outcome, and their scores (for <c>/metrics</c>).</summary>
    public DecisionTally Tally { get; } = new();

    public long Flagged => Interlocked.Read(ref _flagged);

    public long Passed => Interlocked.Read(ref _passed);

    /// <summary>Counts one answer: its score and whether it was fraud. Thread-safe.</summary>
    public void Count(double score, bool fraud)
    {
        Tally.ScoreShared(score);
        Interlocked.Increment(ref fraud ? ref _flagged : ref _passed);
    }

    /// <summary>
    /// Decides the transaction as the stream does (the rules, then the model; <see cref="RuleSet.None"/> without
    /// rules) and writes the decision's answer (<see cref="DecisionEncoder.WriteAnswer"/>: the stream's reasons), and
    /// the computed features when asked.
    /// </summary>
    /// <exception cref="ScoringRequestException">The body is not a transaction.</exception>
    public void Score(ReadOnlyMemory<byte> body, Utf8JsonWriter writer, bool withFeatures = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var state = _state;
        var scratch = _scratch.Value!.For(state.Model, state.Features);
        var transaction = scratch.Transaction;
        if (!scratch.Decoder.TryDecode(body, transaction, out var failure))
        {
            throw new ScoringRequestException($"not a transaction: {failure.Reason}");
        }

        if (transaction.HasFeatures && !_options.SuppliedFeatures)
        {
            throw new ScoringRequestException("\"features\" are computed by this server from its own state, not taken from requests (a server started with --supplied-features scores them)");
        }

        if (scratch.Inputs.Refusal(transaction, featuresComputed: !transaction.HasFeatures) is { } refusal)
        {
            throw new ScoringRequestException(refusal);
        }

        // Rules may read any feature the pipeline computes; the model alone only its own.
        double[]? computed = null;
        if (!transaction.HasFeatures && !(_rules is null ? state.Model.Features : state.Features).IsEmpty)
        {
            computed = scratch.Computed;
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var time = transaction.HasTimestamp ? transaction.TimestampMs : now;
            if (state.Engine is not null && time > now + (long)_options.MaxClockSkew.TotalMilliseconds)
            {
                // The live state's clocks only move forward: one request from the future would age every history it touches.
                throw new ScoringRequestException(
                    $"timestamp {DateTimeOffset.FromUnixTimeMilliseconds(time):yyyy-MM-ddTHH:mm:ssZ} is more than {_options.MaxClockSkew} ahead of the server's clock");
            }

            if (state.Engine is null)
            {
                _pipeline!.Peek(transaction, time, computed);
            }
            else
            {
                state.Engine.Compute(transaction, time, computed);
            }
        }

        if (computed is not null)
        {
            transaction.UseFeatures(scratch.Json(state.Features), computed);
        }

        var decision = scratch.Decide(transaction, _rules?.Invoke() ?? RuleSet.None);
        if (!double.IsFinite(decision.ModelScore))
        {
            throw new ScoringRequestException($"model {state.Model.Version} gives no score for these inputs");
        }

        Count(decision.Score, decision.IsFraud);
        writer.WriteStartObject();
        DecisionEncoder.WriteAnswer(writer, decision);
        if (computed is not null && withFeatures)
        {
            writer.WriteStartObject("features");
            for (var f = 0; f < computed.Length; f++)
            {
                Number(writer, state.Features.Definitions[f].Name, computed[f]);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>One thread's decoder, transaction, detector and feature row, sized for the model and features they last served.</summary>
    private sealed class Scratch
    {
        private Model? _model;
        private Detector? _detector;
        private DetectionModels? _models;
        private FeatureJson? _json;
        private FeatureSet? _jsonSet;

        public Decision Decision { get; } = new();

        public TransactionDecoder Decoder { get; } = new(ScoringServer.MaxBodyBytes);

        public Transaction Transaction { get; } = new();

        public ModelInputs Inputs { get; private set; } = null!;

        public double[] Computed { get; private set; } = [];

        public Scratch For(Model model, FeatureSet features)
        {
            if (!ReferenceEquals(model, _model))
            {
                _model = model;
                Inputs = new ModelInputs(model.Inputs, features);
                Computed = new double[features.Count];
                _models = new DetectionModels(model);
            }

            return this;
        }

        /// <summary>Writes the features of <paramref name="features"/> into output records, made once per set.</summary>
        public FeatureJson Json(FeatureSet features)
        {
            if (_json is null || _jsonSet != features)
            {
                _json = new FeatureJson(features);
                _jsonSet = features;
            }

            return _json;
        }

        public Decision Decide(Transaction record, RuleSet rules)
        {
            _detector ??= new Detector(rules);
            _detector.Rules = rules;
            _detector.Models = _models;
            _detector.Decide(record, Decision);
            return Decision;
        }
    }

    private static void Number(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
