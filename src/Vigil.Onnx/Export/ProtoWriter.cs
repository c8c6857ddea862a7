using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Vigil.Onnx.Export;

/// <summary>
/// Writes one protocol buffers message field by field (varints, 32-bit floats, length-delimited bytes and nested
/// messages): what an ONNX file needs, without generated classes for onnx.proto.
/// </summary>
internal sealed class ProtoWriter
{
    private const int VarintWire = 0;
    private const int LengthWire = 2;
    private const int Fixed32Wire = 5;

    private readonly ArrayBufferWriter<byte> _buffer = new();

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public ProtoWriter Int(int field, long value)
    {
        Tag(field, VarintWire);
        Varint((ulong)value);
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, Fixed32Wire);
        Span<byte> bytes = stackalloc byte[sizeof(float)];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
        return this;
    }

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> bytes)
    {
        Tag(field, LengthWire);
        Varint((ulong)bytes.Length);
        _buffer.Write(bytes);
        return this;
    }

    public ProtoWriter String(int field, string text) => Bytes(field, Encoding.UTF8.GetBytes(text));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    private void Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.Write([(byte)(value | 0x80)]);
            value >>= 7;
        }

        _buffer.Write([(byte)value]);
    }
}
