using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Colorizer.Core.Models.Onnx;

/// <summary>
/// Where one parameter blob of a Caffe layer lives in the .caffemodel: its shape, and either the place of its packed
/// little-endian float32 values in the file (the usual case, which lets them be copied straight into the ONNX model
/// without ever holding them as floats) or, for the rare unpacked or double-precision encodings, the values read.
/// </summary>
internal sealed record LayerBlob(long[] Shape, long DataOffset, int DataBytes, float[]? Values)
{
    /// <summary>The number of values in the file.</summary>
    public long Count => Values?.Length ?? DataBytes / sizeof(float);

    /// <summary>The values, read from <paramref name="file"/> when they were left there.</summary>
    public float[] Read(FileStream file)
    {
        if (Values is not null)
            return Values;
        var values = new float[DataBytes / sizeof(float)];
        file.Position = DataOffset;
        file.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            var raw = MemoryMarshal.Cast<float, int>(values.AsSpan());
            BinaryPrimitives.ReverseEndianness(raw, raw);
        }
        return values;
    }
}

/// <summary>
/// Finds the parameter blobs of the layers a network needs in a .caffemodel (a <c>NetParameter</c> protobuf),
/// streaming through the file: the values stay on disk until the ONNX model is written, so the weights are never held
/// twice. Layers not asked for are skipped without reading their data.
/// </summary>
internal static class CaffeBlobReader
{
    // NetParameter.layer (LayerParameter: name = 1, blobs = 7) and the legacy NetParameter.layers (V1LayerParameter: name = 4, blobs = 6).
    private const int LayerField = 100, LegacyLayerField = 2;

    // BlobProto: num = 1, channels = 2, height = 3, width = 4 (legacy shape), data = 5, shape = 7, double_data = 8.
    private const int BlobData = 5, BlobShape = 7, BlobDoubleData = 8;

    /// <summary>
    /// The blobs of each layer in <paramref name="layers"/>, by layer name. Throws <see cref="ModelFilesException"/>
    /// naming <paramref name="path"/> when the file is not a readable protobuf or a blob's values do not fill its shape.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<LayerBlob>> Read(FileStream file, string path, IReadOnlySet<string> layers)
    {
        var found = new Dictionary<string, IReadOnlyList<LayerBlob>>(StringComparer.Ordinal);
        try
        {
            var reader = new StreamReader(file, 0, file.Length);
            while (!reader.AtEnd)
            {
                var (field, wireType) = reader.ReadTag();
                if (wireType == 2 && field is LayerField or LegacyLayerField)
                {
                    var layer = reader.ReadMessage();
                    var (nameField, blobsField) = field == LayerField ? (1, 7) : (4, 6);
                    var (name, blobs) = ReadLayer(layer, nameField, blobsField, layers);
                    if (name is not null && blobs is not null)
                        found[name] = blobs;
                }
                else
                {
                    reader.Skip(wireType);
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or EndOfStreamException)
        {
            throw new ModelFilesException(path, $"{path} is truncated or is not a Caffe model (.caffemodel protobuf): {ex.Message}", ex);
        }
        return found;
    }

    private static (string? Name, List<LayerBlob>? Blobs) ReadLayer(StreamReader layer, int nameField, int blobsField, IReadOnlySet<string> wanted)
    {
        // The name comes first in files Caffe writes, but a protobuf may order fields freely: remember where blobs are.
        string? name = null;
        var blobRecords = new List<StreamReader>();
        while (!layer.AtEnd)
        {
            var (field, wireType) = layer.ReadTag();
            if (wireType == 2 && field == nameField)
                name = layer.ReadString();
            else if (wireType == 2 && field == blobsField)
                blobRecords.Add(layer.ReadMessage());
            else
                layer.Skip(wireType);
        }
        if (name is null || !wanted.Contains(name))
            return (name, null);
        return (name, blobRecords.Select(b => ReadBlob(b, name)).ToList());
    }

    private static LayerBlob ReadBlob(StreamReader blob, string layer)
    {
        var legacy = new long[4];
        bool hasLegacy = false;
        long[]? shape = null;
        long offset = 0;
        int bytes = 0;
        float[]? values = null;
        var unpacked = new List<float>();
        while (!blob.AtEnd)
        {
            var (field, wireType) = blob.ReadTag();
            switch (field)
            {
                case >= 1 and <= 4 when wireType == 0:
                    legacy[field - 1] = (long)blob.ReadVarint();
                    hasLegacy = true;
                    break;
                case BlobShape when wireType == 2:
                    shape = ReadShape(blob.ReadMessage());
                    break;
                case BlobData when wireType == 2:
                    (offset, bytes) = blob.SkipBytes();
                    if (bytes % sizeof(float) != 0)
                        throw new FormatException($"a blob of layer '{layer}' has {bytes} bytes of float data.");
                    break;
                case BlobData when wireType == 5:
                    unpacked.Add(BitConverter.Int32BitsToSingle((int)blob.ReadFixed32()));
                    break;
                case BlobDoubleData when wireType == 2:
                    values = [.. MemoryMarshal.Cast<byte, double>(blob.ReadBytes()).ToArray().Select(d => (float)d)];
                    break;
                default:
                    blob.Skip(wireType);
                    break;
            }
        }
        if (values is null && bytes == 0 && unpacked.Count > 0)
            values = [.. unpacked];
        var result = new LayerBlob([], offset, bytes, values);
        shape ??= hasLegacy ? legacy : [result.Count];
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != result.Count)
            throw new FormatException($"a blob of layer '{layer}' has shape {string.Join('×', shape)} but {result.Count:N0} values.");
        return result with { Shape = shape };
    }

    private static long[] ReadShape(StreamReader shape)
    {
        // BlobShape.dim = 1, repeated int64, packed or not.
        var dims = new List<long>();
        while (!shape.AtEnd)
        {
            var (field, wireType) = shape.ReadTag();
            if (field == 1 && wireType == 0)
            {
                dims.Add((long)shape.ReadVarint());
            }
            else if (field == 1 && wireType == 2)
            {
                var packed = shape.ReadMessage();
                while (!packed.AtEnd)
                    dims.Add((long)packed.ReadVarint());
            }
            else
            {
                shape.Skip(wireType);
            }
        }
        return [.. dims];
    }

    /// <summary>
    /// A protobuf reader over a range of a file. Messages are ranges too, so a nested record is read in place; every
    /// read is bounds-checked against its range.
    /// </summary>
    private sealed class StreamReader(FileStream file, long start, long end)
    {
        private long _position = start;

        public bool AtEnd => _position >= end;

        public (int Field, int WireType) ReadTag()
        {
            ulong tag = ReadVarint();
            int field = (int)(tag >> 3);
            if (field == 0)
                throw new FormatException($"field number 0 at byte {_position}.");
            return (field, (int)(tag & 7));
        }

        public ulong ReadVarint()
        {
            file.Position = _position;
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_position >= end)
                    throw new FormatException("the data ends inside a field.");
                int b = file.ReadByte();
                if (b < 0)
                    throw new EndOfStreamException("the file ends inside a field.");
                _position++;
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                    return value;
            }
            throw new FormatException($"a malformed varint at byte {_position}.");
        }

        public uint ReadFixed32()
        {
            Need(4);
            Span<byte> bytes = stackalloc byte[4];
            file.Position = _position;
            file.ReadExactly(bytes);
            _position += 4;
            return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        }

        /// <summary>Skips a length-delimited field, returning where its bytes are.</summary>
        public (long Offset, int Length) SkipBytes()
        {
            long length = ReadLength();
            if (length > int.MaxValue)
                throw new FormatException($"a field of {length} bytes.");
            long offset = _position;
            _position += length;
            return (offset, (int)length);
        }

        public byte[] ReadBytes()
        {
            var (offset, length) = SkipBytes();
            var bytes = new byte[length];
            file.Position = offset;
            file.ReadExactly(bytes);
            return bytes;
        }

        public StreamReader ReadMessage()
        {
            var (offset, length) = SkipBytes();
            return new StreamReader(file, offset, offset + length);
        }

        public string ReadString()
        {
            var (offset, length) = SkipBytes();
            if (length > 4096)
                throw new FormatException($"a layer name of {length} bytes.");
            var bytes = new byte[length];
            file.Position = offset;
            file.ReadExactly(bytes);
            return System.Text.Encoding.UTF8.GetString(bytes);
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0:
                    ReadVarint();
                    break;
                case 1:
                    Need(8);
                    _position += 8;
                    break;
                case 2:
                    SkipBytes();
                    break;
                case 5:
                    Need(4);
                    _position += 4;
                    break;
                default:
                    throw new FormatException($"wire type {wireType} at byte {_position}.");
            }
        }

        private long ReadLength()
        {
            ulong length = ReadVarint();
            if (length > (ulong)(end - _position))
                throw new FormatException($"a record of {length} bytes at byte {_position} runs past its end.");
            return (long)length;
        }

        private void Need(int bytes)
        {
            if (end - _position < bytes)
                throw new FormatException("the data ends inside a field.");
        }
    }
}
