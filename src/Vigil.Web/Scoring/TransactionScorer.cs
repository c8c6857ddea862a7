using System.Text.Json;
using Vigil.Features;
using Vigil.Models;
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
/// The feature engine is shared and locked for the microsecond a computation takes; the model is swapped whole. Each
/// thread keeps its own decoder, transaction and rows, so a score allocates nothing but what it writes.
/// </remarks>
public sealed class TransactionScorer : IDisposable
{
    private readonly Lock _engineLock = new();
    private readonly ThreadLocal<Scratch> _scratch = new(() => new Scratch());
    private readonly PipelineFeatures? _pipeline;
    private volatile State _state;

    /// <param name="Features">The features computed for a request: the pipeline's set, or the model's own.</param>
    /// <param name="Engine">The server's own feature state; null inside a pipeline.</param>
    private sealed record State(Model Model, InputColumns Columns, FeatureSet Features, FeatureEngine? Engine);

    /// <param name="pipeline">The running pipeline's feature state, whose set holds every feature the model reads; null to keep state here.</param>
    public TransactionScorer(Model model, PipelineFeatures? pipeline = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _pipeline = pipeline;
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
        return new State(model, new InputColumns(model), model.Features, sameFeatures ? current!.Engine : new FeatureEngine(model.Features));
    }

    /// <summary>Writes fraud, score, threshold, model version, the reasons when it is fraud, and the computed features when asked.</summary>
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

        var inputs = scratch.Inputs;
        var row = scratch.Row;
        double[]? computed = null;
        if (transaction.HasFeatures || state.Model.Features.IsEmpty)
        {
            inputs.Fill(transaction, row);
        }
        else
        {
            computed = scratch.Computed;
            var time = transaction.HasTimestamp ? transaction.TimestampMs : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (state.Engine is null)
            {
                _pipeline!.Peek(transaction, time, computed);
            }
            else
            {
                lock (_engineLock)
                {
                    state.Engine.Compute(transaction, time, computed);
                }
            }

            inputs.Fill(transaction, computed, row);
        }

        var score = state.Model.Score(row);
        var fraud = score >= state.Model.Threshold;
        writer.WriteStartObject();
        writer.WriteBoolean("fraud"u8, fraud);
        writer.WriteNumber("score"u8, score);
        writer.WriteNumber("threshold"u8, state.Model.Threshold);
        writer.WriteString("model_version"u8, state.Model.Version);
        writer.WriteStartArray("reasons"u8);
        if (fraud)
        {
            WriteReasons(writer, state.Model, row, scratch.Contributions);
        }

        writer.WriteEndArray();
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
            }

            return this;
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
