using Vigil.Detection;
using Vigil.Features;
using Vigil.Models;
using Vigil.Runtime.Pipeline;
using Vigil.Transactions;

namespace Vigil.Learning.Retraining;

/// <summary>
/// The model inputs of every decided transaction, as the pipeline computed them, collected by one tap per detection
/// processor and drained by the retraining loop into its <see cref="LabelledRows"/>.
/// </summary>
/// <remarks>
/// A tap fills a row in place (no allocation) into the front of two fixed buffers; the loop swaps them and copies the
/// back one out. A tap whose buffer is full (the loop stalled) counts the rows it could not keep in <see cref="Dropped"/>:
/// they are missing from the training data, never from detection. Transactions without an id or an event time
/// cannot be joined to their label or placed in a window and are counted in <see cref="Unusable"/>.
/// </remarks>
public sealed class DecisionRows(IReadOnlyList<string> inputs, FeatureSet features, int capacityPerTap = DecisionRows.DefaultCapacityPerTap)
{
    public const int DefaultCapacityPerTap = 16_384;

    private readonly List<Tap> _taps = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<string> Inputs { get; } = inputs;

    public int Width => Inputs.Count;

    /// <summary>Rows a tap could not keep because the loop had not drained it.</summary>
    public long Dropped
    {
        get
        {
            lock (_gate)
            {
                return _taps.Sum(t => t.Dropped);
            }
        }
    }

    /// <summary>Transactions without an id or an event time.</summary>
    public long Unusable
    {
        get
        {
            lock (_gate)
            {
                return _taps.Sum(t => t.Unusable);
            }
        }
    }

    /// <summary>A tap for one detection processor.</summary>
    public IDecisionTap CreateTap()
    {
        var tap = new Tap(new ModelInputs(Inputs, features), capacityPerTap);
        lock (_gate)
        {
            _taps.Add(tap);
        }

        return tap;
    }

    /// <summary>Moves every row the taps hold into <paramref name="into"/>; returns how many.</summary>
    public int DrainInto(LabelledRows into)
    {
        ArgumentNullException.ThrowIfNull(into);
        Tap[] taps;
        lock (_gate)
        {
            taps = [.. _taps];
        }

        var moved = 0;
        foreach (var tap in taps)
        {
            moved += tap.DrainInto(into);
        }

        return moved;
    }

    /// <summary>One processor's rows: written on its thread, swapped out by the loop's.</summary>
    private sealed class Tap(ModelInputs map, int capacity) : IDecisionTap
    {
        private readonly Lock _gate = new();
        private readonly double[] _row = new double[map.Count];
        private RowBuffer _front = new(capacity, map.Count);
        private RowBuffer _back = new(capacity, map.Count);
        private ModelRunner? _checked;
        private bool _same;

        public long Dropped { get; private set; }

        public long Unusable { get; private set; }

        public void Decided(Transaction transaction, Decision decision)
        {
            if (!transaction.TransactionId.IsPresent || !transaction.HasTimestamp)
            {
                Unusable++;
                return;
            }

            // The loop's own models read the same inputs: their runner has just filled the row.
            if (decision.Model is { } runner && SameInputs(runner))
            {
                runner.LastRow.CopyTo(_row);
            }
            else
            {
                map.Fill(transaction, _row);
            }

            var key = TransactionKey.Of(transaction.Raw(transaction.TransactionId));
            var card = FeatureKeys.Of(transaction).Customer ?? 0;
            var flags = (byte)((decision.RuleFlagged ? LabelledRows.RuleFlag : 0) | (decision.IsFraud ? LabelledRows.FlaggedFlag : 0) | (decision.Allowed ? LabelledRows.AllowedFlag : 0));
            var score = decision.Model is null ? float.NaN : (float)decision.ModelScore;
            lock (_gate)
            {
                if (!_front.TryAdd(key, transaction.TimestampMs, card, flags, score, _row))
                {
                    Dropped++;
                }
            }
        }

        /// <summary>Whether a model reads exactly the loop's inputs, decided once per model.</summary>
        private bool SameInputs(ModelRunner runner)
        {
            if (!ReferenceEquals(runner, _checked))
            {
                _checked = runner;
                _same = runner.Model.Inputs.SequenceEqual(map.Names, StringComparer.Ordinal);
            }

            return _same;
        }

        public int DrainInto(LabelledRows into)
        {
            RowBuffer full;
            lock (_gate)
            {
                (full, _front, _back) = (_front, _back, _front);
            }

            // Only this thread touches the back buffer until the next swap, which this same thread makes.
            for (var i = 0; i < full.Count; i++)
            {
                into.Add(full.Keys[i], full.Times[i], full.Cards[i], full.Flags[i], full.Scores[i], full.Values.AsSpan(i * full.Width, full.Width));
            }

            var count = full.Count;
            full.Count = 0;
            return count;
        }
    }

    private sealed class RowBuffer(int capacity, int width)
    {
        public readonly long[] Keys = new long[capacity];
        public readonly long[] Times = new long[capacity];
        public readonly long[] Cards = new long[capacity];
        public readonly byte[] Flags = new byte[capacity];
        public readonly float[] Scores = new float[capacity];
        public readonly float[] Values = new float[capacity * width];
        public readonly int Width = width;
        public int Count;

        public bool TryAdd(long key, long timeMs, long card, byte flags, float score, ReadOnlySpan<double> row)
        {
            if (Count == Keys.Length)
            {
                return false;
            }

            Keys[Count] = key;
            Times[Count] = timeMs;
            Cards[Count] = card;
            Flags[Count] = flags;
            Scores[Count] = score;
            var values = Values.AsSpan(Count * Width, Width);
            for (var i = 0; i < row.Length; i++)
            {
                values[i] = (float)row[i];
            }

            Count++;
            return true;
        }
    }
}
