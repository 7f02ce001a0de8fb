namespace Colorizer.Core.Models;

/// <summary>
/// Reads which layers a .caffemodel carries blobs for, without loading the blobs, so a wrong or truncated weights file
/// gets a precise message instead of OpenCV's parser error.
/// </summary>
internal static class CaffeModelInspector
{
    // NetParameter.layer (LayerParameter: name = 1, blobs = 7) and the legacy NetParameter.layers (V1LayerParameter: name = 4, blobs = 6).
    private const int LayerField = 100, LegacyLayerField = 2;

    /// <summary>Layer name → number of blobs. Throws <see cref="ModelFilesException"/> if the file is not a readable protobuf.</summary>
    public static IReadOnlyDictionary<string, int> ReadLayerBlobCounts(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (file.Length == 0)
            throw new ModelFilesException(path,
                $"{path} is empty (0 bytes): it is truncated, not a Caffe model. " +
                $"The release file {ModelFileNames.Weights} is 128,946,764 bytes; delete the file and let Colorizer download it again.");
        var reader = new Reader(file);
        var layers = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            while (reader.Position < file.Length)
            {
                var (field, wireType) = reader.ReadTag();
                if (wireType == 2 && field is LayerField or LegacyLayerField)
                {
                    long end = reader.ReadLength() + reader.Position;
                    if (end > file.Length)
                        throw new EndOfStreamException();
                    var (name, blobs) = ReadLayer(reader, end, field == LayerField ? (1, 7) : (4, 6));
                    if (name is not null)
                        layers[name] = blobs;
                    reader.Position = end;
                }
                else
                {
                    reader.Skip(wireType);
                }
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or FormatException)
        {
            throw new ModelFilesException(path,
                $"{path} is truncated or is not a Caffe model (.caffemodel protobuf): {ex.Message} " +
                $"The release file {ModelFileNames.Weights} is 128,946,764 bytes; delete the file and let Colorizer download it again.", ex);
        }
        return layers;
    }

    private static (string? Name, int Blobs) ReadLayer(Reader reader, long end, (int Name, int Blobs) fields)
    {
        string? name = null;
        int blobs = 0;
        while (reader.Position < end)
        {
            var (field, wireType) = reader.ReadTag();
            if (wireType == 2 && field == fields.Name)
            {
                name = reader.ReadString();
            }
            else if (wireType == 2 && field == fields.Blobs)
            {
                blobs++;
                reader.Position = reader.ReadLength() + reader.Position;
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        if (reader.Position != end)
            throw new FormatException("a layer record overruns its length.");
        return (name, blobs);
    }

    private sealed class Reader(Stream stream)
    {
        public long Position
        {
            get => stream.Position;
            set => stream.Position = value;
        }

        public (int Field, int WireType) ReadTag()
        {
            ulong tag = ReadVarint();
            int field = (int)(tag >> 3);
            if (field == 0)
                throw new FormatException($"field number 0 at byte {Position}.");
            return (field, (int)(tag & 7));
        }

        public long ReadLength()
        {
            ulong length = ReadVarint();
            if (length > (ulong)(stream.Length - stream.Position))
                throw new EndOfStreamException($"a record of {length} bytes at byte {Position} runs past the end of the file.");
            return (long)length;
        }

        public string ReadString()
        {
            long length = ReadLength();
            if (length > 4096)
                throw new FormatException($"a layer name of {length} bytes.");
            var buffer = new byte[length];
            stream.ReadExactly(buffer);
            return System.Text.Encoding.UTF8.GetString(buffer);
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0: ReadVarint(); break;
                case 1: Position += 8; break;
                case 2: Position = ReadLength() + Position; break;
                case 5: Position += 4; break;
                default: throw new FormatException($"wire type {wireType} at byte {Position}.");
            }
            if (Position > stream.Length)
                throw new EndOfStreamException("a field runs past the end of the file.");
        }

        private ulong ReadVarint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                int b = stream.ReadByte();
                if (b < 0)
                    throw new EndOfStreamException("the file ends inside a field.");
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                    return value;
            }
            throw new FormatException($"a malformed varint at byte {Position}.");
        }
    }
}
