using Vigil.Labels;
using Vigil.Runtime.Topics;

namespace Vigil.Runtime.Quality;

/// <summary>The labels of one batch of the labels topic, decoded into arrays reused batch after batch (one reader thread).</summary>
public sealed class LabelBatch
{
    private Label[] _labels = new Label[256];
    private bool[] _valid = new bool[256];

    public int Count { get; private set; }

    /// <summary>Decodes every record of <paramref name="batch"/>; a record that is not a label is marked invalid.</summary>
    public void Decode(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_labels.Length < batch.Count)
        {
            _labels = new Label[batch.Count];
            _valid = new bool[batch.Count];
        }

        for (var i = 0; i < batch.Count; i++)
        {
            _valid[i] = LabelDecoder.TryDecode(batch.Value(i), out _labels[i], out _);
        }

        Count = batch.Count;
    }

    /// <summary>The label of record <paramref name="index"/>, or false when that record is not one.</summary>
    public bool TryGet(int index, out Label label)
    {
        label = _labels[index];
        return _valid[index];
    }
}
