using System.Buffers.Binary;

namespace Vigil.Onnx.Export;

/// <summary>
/// An ONNX graph being built, node by node in execution order, written as a ModelProto with onnx.proto's field
/// numbers. Constants are initializers with raw little-endian data.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>ONNX IR version 8 (ONNX 1.10 and later; every ONNX Runtime since 1.10 loads it).</summary>
    private const long IrVersion = 8;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];

    /// <summary>TensorProto.DataType values.</summary>
    public enum ElementType
    {
        Float = 1,
        Int64 = 7,
        Bool = 9,
        Double = 11,
    }

    public string Constant(string name, ReadOnlySpan<double> values, params long[] dims)
    {
        _initializers.Add(DoubleTensor(name, values, dims));
        return name;
    }

    public string Constant(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        var raw = new byte[values.Length * sizeof(long)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        }

        _initializers.Add(Tensor(name, ElementType.Int64, raw, dims));
        return name;
    }

    /// <summary>Adds a node of one output, and returns the output's name.</summary>
    public string Node(string op, string[] inputs, string output, Action<OnnxAttributes>? attributes = null, string domain = "")
    {
        var node = new ProtoWriter();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output).String(3, output).String(4, op);
        if (domain.Length > 0)
        {
            node.String(7, domain);
        }

        if (attributes is not null)
        {
            var list = new OnnxAttributes();
            attributes(list);
            foreach (var attribute in list.Written)
            {
                node.Message(5, attribute);
            }
        }

        _nodes.Add(node);
        return output;
    }

    /// <summary>A graph input; a dimension is a number or a symbolic name (a string, such as "N" for the rows).</summary>
    public void Input(string name, ElementType type, params object[] dims) => _inputs.Add(ValueInfo(name, type, dims));

    public void Output(string name, ElementType type, params object[] dims) => _outputs.Add(ValueInfo(name, type, dims));

    /// <summary>The whole model file.</summary>
    /// <param name="opsets">The operator sets the nodes use: domain ("" for ONNX's own) and version.</param>
    public byte[] ToModel(string name, string doc, IEnumerable<(string Domain, long Version)> opsets, string producerVersion, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var graph = new ProtoWriter();
        foreach (var node in _nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, name);
        foreach (var initializer in _initializers)
        {
            graph.Message(5, initializer);
        }

        graph.String(10, doc);
        foreach (var input in _inputs)
        {
            graph.Message(11, input);
        }

        foreach (var output in _outputs)
        {
            graph.Message(12, output);
        }

        var model = new ProtoWriter().Int(1, IrVersion);
        foreach (var (domain, version) in opsets)
        {
            model.Message(8, new ProtoWriter().String(1, domain).Int(2, version));
        }

        model.String(2, "vigil").String(3, producerVersion).String(6, doc).Message(7, graph);
        foreach (var (key, value) in metadata)
        {
            model.Message(14, new ProtoWriter().String(1, key).String(2, value));
        }

        return model.ToArray();
    }

    internal static ProtoWriter DoubleTensor(string name, ReadOnlySpan<double> values, long[] dims)
    {
        var raw = new byte[values.Length * sizeof(double)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(raw.AsSpan(i * sizeof(double)), values[i]);
        }

        return Tensor(name, ElementType.Double, raw, dims);
    }

    private static ProtoWriter Tensor(string name, ElementType type, byte[] raw, long[] dims)
    {
        var tensor = new ProtoWriter();
        foreach (var dim in dims)
        {
            tensor.Int(1, dim);
        }

        return tensor.Int(2, (long)type).String(8, name).Bytes(9, raw);
    }

    private static ProtoWriter ValueInfo(string name, ElementType type, object[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var dim in dims)
        {
            shape.Message(1, dim switch
            {
                string symbol => new ProtoWriter().String(2, symbol),
                int size => new ProtoWriter().Int(1, size),
                _ => throw new ArgumentException($"a dimension is a size or a name, not {dim}", nameof(dims)),
            });
        }

        var tensorType = new ProtoWriter().Int(1, (long)type).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }
}
