using System.Buffers.Binary;

namespace Colorizer.Core.Imaging;

/// <summary>Walks the chunks of a PNG file, bounds-checked and never throwing.</summary>
internal static class PngChunks
{
    /// <summary>
    /// Advances <paramref name="pos"/> (start at 8, after the signature) past the next chunk and returns its type and
    /// the range of its data, clipped to what is present. Returns false at IEND, at the end of the data or on a
    /// chunk header that is cut off.
    /// </summary>
    public static bool TryNext(ReadOnlySpan<byte> data, ref long pos, out uint type, out Range payload)
    {
        type = 0;
        payload = default;
        if (pos < 8 || pos > data.Length - 12L)
            return false;
        uint length = BinaryPrimitives.ReadUInt32BigEndian(data.Slice((int)pos, 4));
        type = BinaryPrimitives.ReadUInt32BigEndian(data.Slice((int)pos + 4, 4));
        if (type == Type("IEND"u8))
            return false;
        long start = pos + 8;
        long available = Math.Min(length, data.Length - start);
        payload = new Range((int)start, (int)(start + available));
        pos = start + length + 4; // Data and CRC.
        return true;
    }

    /// <summary>A chunk type as the number <see cref="TryNext"/> returns.</summary>
    public static uint Type(ReadOnlySpan<byte> name) => BinaryPrimitives.ReadUInt32BigEndian(name);
}
