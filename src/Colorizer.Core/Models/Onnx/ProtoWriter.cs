using System.Buffers;
using System.Text;

namespace Colorizer.Core.Models.Onnx;

/// <summary>
/// The few protobuf encodings an ONNX model needs (varints, length-delimited fields, nested messages), written by
/// hand: the model is built once at load, and a generated <c>onnx.proto</c> binding (Google.Protobuf and protoc) would
/// add two packages and a schema copy for about a hundred lines of encoding.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public ProtoWriter(int capacity = 256) => _buffer = new ArrayBufferWriter<byte>(capacity);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>The number of bytes written so far.</summary>
    public int Length => _buffer.WrittenCount;

    /// <summary>A varint field (wire type 0).</summary>
    public ProtoWriter Int(int field, long value)
    {
        Tag(field, 0);
        Varint((ulong)value);
        return this;
    }

    /// <summary>A 32-bit float field (wire type 5).</summary>
    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        BitConverter.TryWriteBytes(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    /// <summary>A string field (UTF-8, wire type 2).</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field (wire type 2).</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
        return this;
    }

    /// <summary>The tag and length of a length-delimited field whose <paramref name="length"/> bytes follow separately.</summary>
    public ProtoWriter LengthPrefix(int field, long length)
    {
        Tag(field, 2);
        Varint((ulong)length);
        return this;
    }

    /// <summary>Bytes as they are (already encoded fields).</summary>
    public ProtoWriter Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
        return this;
    }

    /// <summary>A nested message field.</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.WrittenSpan);

    /// <summary>A nested message field, built by <paramref name="build"/>.</summary>
    public ProtoWriter Message(int field, Action<ProtoWriter> build)
    {
        var message = new ProtoWriter();
        build(message);
        return Message(field, message);
    }

    private void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    private void Varint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        int length = 0;
        while (value >= 0x80)
        {
            span[length++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[length++] = (byte)value;
        _buffer.Advance(length);
    }
}
