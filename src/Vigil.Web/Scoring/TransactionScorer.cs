using System.Text.Json;
using Vigil.Features;
using Vigil.Detection;
using Vigil.Models;
using Vigil.Rules;
using Vigil.Transactions;

namespace Vigil.Web.Scoring;

/// <summary>Reads the features a transaction would get from live state kept elsewhere, without changing it.</summary>
public delegate void FeaturePeek(Transaction transaction, long timeMs, Span<double> values);

/// <summary>A running pipeline's feature state, as scoring requests beside it read it: its feature set and its peek.</summary>
public sealed record PipelineFeatures(FeatureSet Set, FeaturePeek Peek);

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

    /// <summary>
    /// Writes fraud, score, threshold, model version, the reasons when it is fraud, and the computed features when
    /// asked. With the pipeline's rules, the decision is the stream's (rules, then the model), with <c>review</c>,
    /// <c>allowed</c>, <c>rules_version</c> and the rules among the reasons.
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

        writer.WriteStartObject();
        if (_rules is null)
        {
            WriteScore(writer, state.Model, scratch, transaction, computed);
        }
        else
        {
            WriteDecision(writer, state, scratch, computed is null ? transaction : scratch.Featured(transaction, state.Features, computed));
        }

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

    private static void WriteScore(Utf8JsonWriter writer, Model model, Scratch scratch, Transaction transaction, double[]? computed)
    {
        var row = scratch.Row;
        if (computed is null)
        {
            scratch.Inputs.Fill(transaction, row);
        }
        else
        {
            scratch.Inputs.Fill(transaction, computed, row);
        }

        var score = model.Score(row);
        if (!double.IsFinite(score))
        {
            throw new ScoringRequestException($"model {model.Version} gives no score for these inputs");
        }

        var fraud = score >= model.Threshold;
        writer.WriteBoolean("fraud"u8, fraud);
        writer.WriteNumber("score"u8, score);
        writer.WriteNumber("threshold"u8, model.Threshold);
        writer.WriteString("model_version"u8, model.Version);
        writer.WriteStartArray("reasons"u8);
        if (fraud)
        {
            WriteReasons(writer, model, row, scratch.Contributions);
        }

        writer.WriteEndArray();
    }

    /// <summary>Decides the record (with its features, as the stage publishes it) with the pipeline's rules and the model, as a detector does.</summary>
    private void WriteDecision(Utf8JsonWriter writer, State state, Scratch scratch, Transaction record)
    {
        var decision = scratch.Decide(record, _rules!());
        if (decision.Model is not null && !double.IsFinite(decision.ModelScore))
        {
            throw new ScoringRequestException($"model {state.Model.Version} gives no score for these inputs");
        }

        writer.WriteBoolean("fraud"u8, decision.IsFraud);
        if (decision.Review)
        {
            writer.WriteBoolean("review"u8, true);
        }

        if (decision.Allowed)
        {
            writer.WriteBoolean("allowed"u8, true);
        }

        writer.WriteNumber("score"u8, decision.Score);
        writer.WriteNumber("threshold"u8, state.Model.Threshold);
        writer.WriteString("model_version"u8, state.Model.Version);
        writer.WriteString("rules_version"u8, decision.RuleSet.Version);
        writer.WritePropertyName("reasons"u8);
        writer.WriteRawValue(DecisionEncoder.Reasons(decision), skipInputValidation: true);
    }

    /// <summary>The three inputs that raised the score most, largest first, as the pipeline's reasons are chosen.</summary>
    private static void WriteReasons(Utf8JsonWriter writer, Model model, double[] row, double[] contributions)
    {
        model.Explain(row, contributions);
        foreach (var i in Enumerable.Range(0, row.Length).Where(i => contributions[i] > 0).OrderByDescending(i => contributions[i]).Take(3))
        {
            writer.WriteStartObject();
            writer.WriteString("code", "model:" + model.Inputs[i]);
            writer.WriteString("input", model.Inputs[i]);
            Number(writer, "value", row[i]);
            writer.WriteNumber("contribution", contributions[i]);
            writer.WriteEndObject();
        }
    }

    /// <summary>One thread's decoder, transaction and rows, sized for the model and features they last served.</summary>
    private sealed class Scratch
    {
        private Model? _model;
        private Detector? _detector;
        private DetectionModels? _models;
        private FeatureJson? _json;
        private FeatureSet? _jsonSet;
        private byte[] _featured = [];

        public Decision Decision { get; } = new();

        public Transaction FeaturedTransaction { get; } = new();

        public TransactionDecoder Decoder { get; } = new(ScoringServer.MaxBodyBytes);

        public Transaction Transaction { get; } = new();

        public ModelInputs Inputs { get; private set; } = null!;

        public double[] Row { get; private set; } = [];

        public double[] Computed { get; private set; } = [];

        public double[] Contributions { get; private set; } = [];

        public Scratch For(Model model, FeatureSet features)
        {
            if (!ReferenceEquals(model, _model))
            {
                _model = model;
                Inputs = new ModelInputs(model.Inputs, features);
                Row = new double[model.Inputs.Count];
                Computed = new double[features.Count];
                Contributions = new double[model.Inputs.Count];
                _models = new DetectionModels(model);
            }

            return this;
        }

        /// <summary>The transaction as the feature stage publishes it, its features written in; itself when they do not fit.</summary>
        public Transaction Featured(Transaction transaction, FeatureSet features, double[] values)
        {
            if (_json is null || _jsonSet != features)
            {
                _json = new FeatureJson(features);
                _jsonSet = features;
            }

            var record = transaction.Utf8.Span;
            var needed = record.Length + _json.MaxAddedLength;
            if (_featured.Length < needed)
            {
                _featured = new byte[needed];
            }

            return _json.TryWrite(record, values, _featured, out var written)
                   && Decoder.TryDecode(_featured.AsMemory(0, written), FeaturedTransaction, out _)
                ? FeaturedTransaction
                : transaction;
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
