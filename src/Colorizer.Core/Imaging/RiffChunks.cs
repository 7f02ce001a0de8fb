using System.Buffers.Binary;

namespace Colorizer.Core.Imaging;

/// <summary>Walks the chunks of a WebP (RIFF) file, bounds-checked and never throwing.</summary>
internal static class RiffChunks
{
    /// <summary>True for a RIFF file of form type WEBP.</summary>
    public static bool IsWebP(ReadOnlySpan<byte> data) =>
        data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8);

    /// <summary>
    /// Advances <paramref name="pos"/> (start at 12, after the RIFF header) past the next chunk (and its padding byte)
    /// and returns its four-character type and the range of its data, clipped to what is present.
    /// </summary>
    public static bool TryNext(ReadOnlySpan<byte> data, ref long pos, out uint type, out Range payload)
    {
        type = 0;
        payload = default;
        if (pos < 12 || pos > data.Length - 8L)
            return false;
        type = BinaryPrimitives.ReadUInt32BigEndian(data.Slice((int)pos, 4));
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice((int)pos + 4, 4));
        long start = pos + 8;
        long available = Math.Min(length, data.Length - start);
        payload = new Range((int)start, (int)(start + available));
        pos = start + length + (length & 1); // Chunks are padded to an even size.
        return true;
    }

    /// <summary>A chunk type as the number <see cref="TryNext"/> returns.</summary>
    public static uint Type(ReadOnlySpan<byte> name) => BinaryPrimitives.ReadUInt32BigEndian(name);
}
