using System.Text;

namespace Vigil.Onnx.Export;

/// <summary>A node's attributes, as AttributeProto messages (name, the value's field, and its type).</summary>
internal sealed class OnnxAttributes
{
    // AttributeProto.AttributeType values.
    private const int FloatType = 1;
    private const int IntType = 2;
    private const int StringType = 3;
    private const int TensorType = 4;
    private const int IntsType = 7;
    private const int StringsType = 8;

    internal List<ProtoWriter> Written { get; } = [];

    public OnnxAttributes Float(string name, float value) => Add(name, FloatType, a => a.Float(2, value));

    public OnnxAttributes Int(string name, long value) => Add(name, IntType, a => a.Int(3, value));

    public OnnxAttributes String(string name, string value) => Add(name, StringType, a => a.String(4, value));

    public OnnxAttributes Ints(string name, IEnumerable<long> values) => Add(name, IntsType, a =>
    {
        foreach (var value in values)
        {
            a.Int(8, value);
        }
    });

    public OnnxAttributes Strings(string name, IEnumerable<string> values) => Add(name, StringsType, a =>
    {
        foreach (var value in values)
        {
            a.Bytes(9, Encoding.UTF8.GetBytes(value));
        }
    });

    /// <summary>A one-dimensional tensor of doubles (the ai.onnx.ml operators' <c>*_as_tensor</c> attributes).</summary>
    public OnnxAttributes Doubles(string name, double[] values) =>
        Add(name, TensorType, a => a.Message(5, OnnxGraph.DoubleTensor(string.Empty, values, [values.Length])));

    private OnnxAttributes Add(string name, int type, Action<ProtoWriter> value)
    {
        var attribute = new ProtoWriter().String(1, name);
        value(attribute);
        Written.Add(attribute.Int(20, type));
        return this;
    }
}
