using System.Runtime.InteropServices;

namespace Colorizer.Core.Models.Onnx;

/// <summary>One parameter blob of a Caffe layer: its shape and its values, in C order.</summary>
/// <param name="Shape">The dimensions (from <c>BlobShape</c>, or the legacy num/channels/height/width).</param>
/// <param name="Data">The values.</param>
internal sealed record LayerBlob(long[] Shape, float[] Data)
{
    /// <summary>The number of values the shape calls for.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Reads the parameter blobs of the layers a network needs from a .caffemodel (a <c>NetParameter</c> protobuf), so the
/// same weights can be handed to ONNX Runtime: no second copy of the weights on disk. Layers not asked for are skipped
/// without reading their data.
/// </summary>
internal static class CaffeBlobReader
{
    // NetParameter.layer (LayerParameter: name = 1, blobs = 7) and the legacy NetParameter.layers (V1LayerParameter: name = 4, blobs = 6).
    private const int LayerField = 100, LegacyLayerField = 2;

    // BlobProto: num = 1, channels = 2, height = 3, width = 4 (legacy shape), data = 5, diff = 6, shape = 7, double_data = 8.
    private const int BlobData = 5, BlobShape = 7, BlobDoubleData = 8;

    /// <summary>
    /// The blobs of each layer in <paramref name="layers"/>, by layer name. Throws <see cref="ModelFilesException"/>
    /// naming <paramref name="path"/> when the file is not a readable protobuf or a blob's values do not fill its shape.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<LayerBlob>> Read(string path, IReadOnlySet<string> layers)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new ModelFilesException(path, $"{path} could not be read: {ex.Message}", ex);
        }
        var found = new Dictionary<string, IReadOnlyList<LayerBlob>>(StringComparer.Ordinal);
        try
        {
            var reader = new ProtoReader(file, 0, file.Length);
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
        catch (FormatException ex)
        {
            throw new ModelFilesException(path, $"{path} is truncated or is not a Caffe model (.caffemodel protobuf): {ex.Message}", ex);
        }
        return found;
    }

    private static (string? Name, List<LayerBlob>? Blobs) ReadLayer(ProtoReader layer, int nameField, int blobsField, IReadOnlySet<string> wanted)
    {
        // The name comes first in files Caffe writes, but a protobuf may order fields freely: remember where blobs are.
        string? name = null;
        var blobRecords = new List<ProtoReader>();
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

    private static LayerBlob ReadBlob(ProtoReader blob, string layer)
    {
        var legacy = new long[4];
        bool hasLegacy = false;
        long[]? shape = null;
        float[]? data = null;
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
                    data = MemoryMarshal.Cast<byte, float>(blob.ReadBytes()).ToArray();
                    break;
                case BlobData when wireType == 5:
                    unpacked.Add(BitConverter.Int32BitsToSingle((int)blob.ReadFixed32()));
                    break;
                case BlobDoubleData when wireType == 2:
                    data = [.. MemoryMarshal.Cast<byte, double>(blob.ReadBytes()).ToArray().Select(d => (float)d)];
                    break;
                default:
                    blob.Skip(wireType);
                    break;
            }
        }
        data ??= [.. unpacked];
        shape ??= hasLegacy ? legacy : [data.Length];
        var result = new LayerBlob(shape, data);
        if (result.Count != data.Length)
            throw new FormatException($"a blob of layer '{layer}' has shape {string.Join('×', shape)} but {data.Length:N0} values.");
        return result;
    }

    private static long[] ReadShape(ProtoReader shape)
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

    /// <summary>A protobuf reader over a slice of a byte array; every read is bounds-checked.</summary>
    private struct ProtoReader(byte[] buffer, int start, int end)
    {
        private int _position = start;

        public readonly bool AtEnd => _position >= end;

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
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_position >= end)
                    throw new FormatException("the data ends inside a field.");
                byte b = buffer[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                    return value;
            }
            throw new FormatException($"a malformed varint at byte {_position}.");
        }

        public uint ReadFixed32()
        {
            Need(4);
            uint value = BitConverter.ToUInt32(buffer, _position);
            _position += 4;
            return value;
        }

        public ReadOnlySpan<byte> ReadBytes()
        {
            int length = ReadLength();
            var span = buffer.AsSpan(_position, length);
            _position += length;
            return span;
        }

        public ProtoReader ReadMessage()
        {
            int length = ReadLength();
            var message = new ProtoReader(buffer, _position, _position + length);
            _position += length;
            return message;
        }

        public string ReadString()
        {
            var bytes = ReadBytes();
            if (bytes.Length > 4096)
                throw new FormatException($"a layer name of {bytes.Length} bytes.");
            return System.Text.Encoding.UTF8.GetString(bytes);
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0: ReadVarint(); break;
                case 1: Need(8); _position += 8; break;
                case 2:
                    // The length first: `_position += ReadLength()` would add it to the position before its varint.
                    int length = ReadLength();
                    _position += length;
                    break;
                case 5: Need(4); _position += 4; break;
                default: throw new FormatException($"wire type {wireType} at byte {_position}.");
            }
        }

        private int ReadLength()
        {
            ulong length = ReadVarint();
            if (length > (ulong)(end - _position))
                throw new FormatException($"a record of {length} bytes at byte {_position} runs past its end.");
            return (int)length;
        }

        private readonly void Need(int bytes)
        {
            if (end - _position < bytes)
                throw new FormatException("the data ends inside a field.");
        }
    }
}
