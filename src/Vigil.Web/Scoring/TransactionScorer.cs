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
/// <remarks>The feature engine is shared and locked for the microsecond a computation takes; the model is swapped whole.</remarks>
public sealed class TransactionScorer : IDisposable
{
    private readonly Lock _engineLock = new();
    private readonly ThreadLocal<(Model Model, ModelInputs Inputs)?> _inputs = new();
    private volatile State _state;

    private sealed record State(Model Model, InputColumns Columns, FeatureEngine Engine);

    public TransactionScorer(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _state = new State(model, new InputColumns(model), new FeatureEngine(model.Features));
    }

    public Model Model => _state.Model;

    public void Dispose() => _inputs.Dispose();

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
        var transaction = new Transaction();
        if (!new TransactionDecoder(ScoringServer.MaxBodyBytes).TryDecode(body, transaction, out var failure))
        {
            throw new ScoringRequestException($"not a transaction: {failure.Reason}");
        }

        var inputs = Inputs(state.Model);
        var row = new double[state.Model.Inputs.Count];
        double[]? computed = null;
        if (transaction.HasFeatures || state.Model.Features.IsEmpty)
        {
            inputs.Fill(transaction, row);
        }
        else
        {
            computed = new double[state.Model.Features.Count];
            var time = transaction.HasTimestamp ? transaction.TimestampMs : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            lock (_engineLock)
            {
                state.Engine.Compute(transaction, time, computed);
            }

            inputs.Fill(transaction, computed, row);
        }

        var score = state.Model.Score(row);
        var fraud = score >= state.Model.Threshold;
        var contributions = new double[row.Length];
        if (fraud)
        {
            state.Model.Explain(row, contributions);
        }

        writer.WriteStartObject();
        writer.WriteBoolean("fraud", fraud);
        writer.WriteNumber("score", score);
        writer.WriteNumber("threshold", state.Model.Threshold);
        writer.WriteString("model_version", state.Model.Version);
        writer.WriteStartArray("reasons");
        foreach (var i in Enumerable.Range(0, row.Length).Where(i => contributions[i] > 0).OrderByDescending(i => contributions[i]).Take(3))
        {
            writer.WriteStartObject();
            writer.WriteString("code", "model:" + state.Model.Inputs[i]);
            writer.WriteString("input", state.Model.Inputs[i]);
            Number(writer, "value", row[i]);
            writer.WriteNumber("contribution", contributions[i]);
            writer.WriteEndObject();
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

    private ModelInputs Inputs(Model model)
    {
        if (_inputs.Value is not { } cached || cached.Model != model)
        {
            cached = (model, new ModelInputs(model.Inputs, model.Features));
            _inputs.Value = cached;
        }

        return cached.Inputs;
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
