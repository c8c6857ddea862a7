using System.Text.Json;
using Vigil.Features;
using Vigil.Models;
using Vigil.Transactions;

namespace Vigil.Web.Scoring;

/// <summary>
/// Scores one transaction JSON for <c>/v1/score</c>: the features it carries (a <c>"features"</c> object, as the
/// pipeline's records have) or else the server's own live feature state, which every scored transaction updates, so
/// that a stream of requests gets the same windows the pipeline would compute.
/// </summary>
/// <remarks>
/// The feature engine is shared and locked for the microsecond a computation takes; the model is swapped whole. Each
/// thread keeps its own decoder, transaction and rows, so a score allocates nothing but what it writes.
/// </remarks>
public sealed class TransactionScorer : IDisposable
{
    private readonly Lock _engineLock = new();
    private readonly ThreadLocal<Scratch> _scratch = new(() => new Scratch());
    private volatile State _state;

    private sealed record State(Model Model, InputColumns Columns, FeatureEngine Engine);

    public TransactionScorer(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _state = new State(model, new InputColumns(model), new FeatureEngine(model.Features));
    }

    public Model Model => _state.Model;

    public void Dispose() => _scratch.Dispose();

    public InputColumns Columns => _state.Columns;

    /// <summary>Swaps the model; the feature state is kept when the new model reads the same features.</summary>
    public void Swap(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var current = _state;
        var sameFeatures = current.Model.Features.Definitions.SequenceEqual(model.Features.Definitions);
        _state = new State(model, new InputColumns(model), sameFeatures ? current.Engine : new FeatureEngine(model.Features));
    }

    /// <summary>Writes fraud, score, threshold, model version, the reasons when it is fraud, and the computed features when asked.</summary>
    /// <exception cref="ScoringRequestException">The body is not a transaction.</exception>
    public void Score(ReadOnlyMemory<byte> body, Utf8JsonWriter writer, bool withFeatures = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var state = _state;
        var scratch = _scratch.Value!.For(state.Model);
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
            lock (_engineLock)
            {
                state.Engine.Compute(transaction, time, computed);
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
                Number(writer, state.Model.Features.Definitions[f].Name, computed[f]);
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

    /// <summary>One thread's decoder, transaction and rows, sized for the model they last served.</summary>
    private sealed class Scratch
    {
        private Model? _model;

        public TransactionDecoder Decoder { get; } = new(ScoringServer.MaxBodyBytes);

        public Transaction Transaction { get; } = new();

        public ModelInputs Inputs { get; private set; } = null!;

        public double[] Row { get; private set; } = [];

        public double[] Computed { get; private set; } = [];

        public double[] Contributions { get; private set; } = [];

        public Scratch For(Model model)
        {
            if (!ReferenceEquals(model, _model))
            {
                _model = model;
                Inputs = new ModelInputs(model.Inputs, model.Features);
                Row = new double[model.Inputs.Count];
                Computed = new double[model.Features.Count];
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
