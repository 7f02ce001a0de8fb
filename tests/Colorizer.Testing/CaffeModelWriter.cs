using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Colorizer.Testing;

/// <summary>
/// One learned parameter array of a Caffe layer (a <c>BlobProto</c>): its shape and its values in C order.
/// </summary>
public sealed class CaffeBlob
{
    /// <summary>Creates a blob; the product of <paramref name="shape"/> must equal the length of <paramref name="data"/>.</summary>
    public CaffeBlob(IReadOnlyList<int> shape, ReadOnlyMemory<float> data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count == 0)
            throw new ArgumentException("A blob needs at least one dimension.", nameof(shape));
        long count = 1;
        foreach (int dim in shape)
        {
            if (dim < 0)
                throw new ArgumentOutOfRangeException(nameof(shape), $"Dimension {dim} is negative.");
            count *= dim;
        }
        if (count != data.Length)
            throw new ArgumentException($"The shape [{string.Join(", ", shape)}] holds {count} values but {data.Length} were given.", nameof(data));
        Shape = shape.ToArray();
        Data = data;
    }

    /// <summary>The dimensions, outermost first (e.g. <c>[out, in, k, k]</c>).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The values, C order.</summary>
    public ReadOnlyMemory<float> Data { get; }

    /// <summary>A blob of the given shape with every value <paramref name="value"/>.</summary>
    public static CaffeBlob Filled(float value, params int[] shape)
    {
        long count = 1;
        foreach (int dim in shape)
            count *= dim;
        var data = new float[count];
        Array.Fill(data, value);
        return new CaffeBlob(shape, data);
    }

    /// <summary>A blob of the given shape filled with zeros.</summary>
    public static CaffeBlob Zeros(params int[] shape) => Filled(0f, shape);
}

/// <summary>
/// Writes a Caffe <c>.caffemodel</c>: a protobuf <c>NetParameter</c> whose repeated <c>layer</c> (field 100) carry a
/// <c>name</c> (1), a <c>type</c> (2) and their <c>blobs</c> (7). Each <c>BlobProto</c> has <c>data</c> (5, packed
/// little-endian float32) and <c>shape</c> (7, a <c>BlobShape</c> with packed int64 <c>dim</c>, field 1).
/// Layers may also record their <c>bottom</c> (3) and <c>top</c> (4) blob names, as Caffe does.
/// The encoding is written by hand and streamed layer by layer: the float data goes straight from the caller's
/// memory to the stream, so a 129 MB model never exists as one buffer.
/// </summary>
/// <remarks>
/// OpenCV's Caffe importer takes the layer parameters from the prototxt and only the blobs from this file, matched
/// by layer name, so layers without blobs (ReLU, Input, …) need not be written.
/// </remarks>
public sealed class CaffeModelWriter : IDisposable
{
    private const int NetLayerField = 100;
    private const int LayerNameField = 1;
    private const int LayerTypeField = 2;
    private const int LayerBottomField = 3;
    private const int LayerTopField = 4;
    private const int LayerBlobsField = 7;
    private const int BlobDataField = 5;
    private const int BlobShapeField = 7;
    private const int ShapeDimField = 1;
    private const int LengthDelimited = 2;
    private const int ChunkFloats = 16 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly MemoryStream _header = new();
    private bool _disposed;

    /// <summary>Creates (or overwrites) the file at <paramref name="path"/>.</summary>
    public CaffeModelWriter(string path)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20), leaveOpen: false)
    {
    }

    /// <summary>Writes to <paramref name="stream"/>, which is disposed with the writer unless <paramref name="leaveOpen"/>.</summary>
    public CaffeModelWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The number of bytes written so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Appends one layer with its blobs, in the order given (e.g. weights then bias).</summary>
    public void WriteLayer(string name, string type, params IReadOnlyList<CaffeBlob> blobs) =>
        WriteLayer(name, type, [], [], blobs);

    /// <summary>
    /// Appends one layer with the blobs it reads and writes (as Caffe records them; OpenCV ignores them here) and
    /// its learned blobs, in the order given (e.g. weights then bias). A layer may have no blobs at all.
    /// </summary>
    public void WriteLayer(string name, string type, IReadOnlyList<string> bottoms, IReadOnlyList<string> tops, params IReadOnlyList<CaffeBlob> blobs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(bottoms);
        ArgumentNullException.ThrowIfNull(tops);
        ArgumentNullException.ThrowIfNull(blobs);

        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] typeBytes = Encoding.UTF8.GetBytes(type);
        byte[][] bottomBytes = bottoms.Select(Encoding.UTF8.GetBytes).ToArray();
        byte[][] topBytes = tops.Select(Encoding.UTF8.GetBytes).ToArray();
        long layerLength = FieldLength(LayerNameField, nameBytes.Length) + FieldLength(LayerTypeField, typeBytes.Length);
        foreach (var bytes in bottomBytes)
            layerLength += FieldLength(LayerBottomField, bytes.Length);
        foreach (var bytes in topBytes)
            layerLength += FieldLength(LayerTopField, bytes.Length);
        foreach (var blob in blobs)
            layerLength += FieldLength(LayerBlobsField, BlobLength(blob));

        _header.SetLength(0);
        WriteKey(_header, NetLayerField, LengthDelimited);
        WriteVarint(_header, (ulong)layerLength);
        WriteBytesField(_header, LayerNameField, nameBytes);
        WriteBytesField(_header, LayerTypeField, typeBytes);
        foreach (var bytes in bottomBytes)
            WriteBytesField(_header, LayerBottomField, bytes);
        foreach (var bytes in topBytes)
            WriteBytesField(_header, LayerTopField, bytes);
        Flush(_header);

        foreach (var blob in blobs)
        {
            WriteKey(_header, LayerBlobsField, LengthDelimited);
            WriteVarint(_header, (ulong)BlobLength(blob));
            // data (field 5): packed floats, streamed straight from the blob's memory.
            WriteKey(_header, BlobDataField, LengthDelimited);
            WriteVarint(_header, (ulong)blob.Data.Length * sizeof(float));
            Flush(_header);
            WriteFloats(blob.Data.Span);
            // shape (field 7): BlobShape { repeated int64 dim = 1 [packed] }.
            long dimsLength = DimsLength(blob.Shape);
            WriteKey(_header, BlobShapeField, LengthDelimited);
            WriteVarint(_header, (ulong)FieldLength(ShapeDimField, dimsLength));
            WriteKey(_header, ShapeDimField, LengthDelimited);
            WriteVarint(_header, (ulong)dimsLength);
            foreach (int dim in blob.Shape)
                WriteVarint(_header, (ulong)dim);
            Flush(_header);
        }
    }

    /// <summary>Flushes and, unless the writer was told to leave it open, closes the stream.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _stream.Flush();
        if (!_leaveOpen)
            _stream.Dispose();
        _header.Dispose();
    }

    private void Flush(MemoryStream buffer)
    {
        _stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        BytesWritten += buffer.Length;
        buffer.SetLength(0);
    }

    private void WriteFloats(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            _stream.Write(MemoryMarshal.AsBytes(values));
        }
        else
        {
            Span<byte> chunk = new byte[ChunkFloats * sizeof(float)];
            for (int start = 0; start < values.Length; start += ChunkFloats)
            {
                var part = values.Slice(start, Math.Min(ChunkFloats, values.Length - start));
                for (int i = 0; i < part.Length; i++)
                    BinaryPrimitives.WriteSingleLittleEndian(chunk[(i * sizeof(float))..], part[i]);
                _stream.Write(chunk[..(part.Length * sizeof(float))]);
            }
        }
        BytesWritten += (long)values.Length * sizeof(float);
    }

    private static long BlobLength(CaffeBlob blob) =>
        FieldLength(BlobDataField, (long)blob.Data.Length * sizeof(float)) +
        FieldLength(BlobShapeField, FieldLength(ShapeDimField, DimsLength(blob.Shape)));

    private static long DimsLength(IReadOnlyList<int> shape)
    {
        long length = 0;
        foreach (int dim in shape)
            length += VarintLength((ulong)dim);
        return length;
    }

    /// <summary>The encoded size of a length-delimited field (key, length, payload) with a payload of <paramref name="payload"/> bytes.</summary>
    private static long FieldLength(int field, long payload) =>
        VarintLength((ulong)((field << 3) | LengthDelimited)) + VarintLength((ulong)payload) + payload;

    private static int VarintLength(ulong value)
    {
        int length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }
        return length;
    }

    private static void WriteKey(Stream stream, int field, int wireType) => WriteVarint(stream, (ulong)((field << 3) | wireType));

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }

    private static void WriteBytesField(Stream stream, int field, byte[] payload)
    {
        WriteKey(stream, field, LengthDelimited);
        WriteVarint(stream, (ulong)payload.Length);
        stream.Write(payload);
    }
}
