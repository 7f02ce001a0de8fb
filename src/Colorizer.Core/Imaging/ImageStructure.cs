using System.Buffers.Binary;
using System.Globalization;

namespace Colorizer.Core.Imaging;

/// <summary>What <see cref="ImageStructure.Inspect"/> counted in a file; the fields that do not apply to its format are 0.</summary>
/// <param name="JpegScans">A JPEG's scans (SOS segments), up to its first EOI.</param>
/// <param name="JpegSegments">A JPEG's other marker segments (APPn, COM, DQT, DHT, DRI…), up to its first EOI.</param>
/// <param name="TiffTags">The entries of a TIFF's first directory that the file holds.</param>
/// <param name="PngOverlongChunk">
/// The first PNG chunk whose declared length runs past the end of the file, with that length and the bytes left for
/// it; null when every chunk fits.
/// </param>
public readonly record struct StructureCounts(int JpegScans, int JpegSegments, long TiffTags, (string Type, uint Declared, long Left)? PngOverlongChunk = null);

/// <summary>
/// Reads a file's structure, not its pixels, and refuses the structures that make OpenCV's decoders slow within the size
/// limits (<see cref="StructureLimits"/>): a JPEG's scans, a TIFF directory's tags; and a PNG chunk whose length field
/// claims more bytes than the file has, for which OpenCV's PNG reader sets aside the claimed size (up to 4 GB) before it
/// finds the data missing. One pass over a JPEG's markers (the scans' entropy-coded data skipped as libjpeg skips it, up
/// to the next marker), a PNG's chunk headers or a TIFF's first directory; bounds-checked and never throwing on malformed
/// input, which is otherwise left to the decoder to refuse.
/// </summary>
public static class ImageStructure
{
    /// <summary>
    /// Throws <see cref="ImageTooComplexException"/> when <paramref name="data"/> (of <paramref name="format"/>) has more
    /// of something than <paramref name="limits"/> allow (the message says what, how many, the limit and why), and
    /// <see cref="InvalidImageException"/> for a PNG chunk longer than the rest of the file (truncated or corrupt).
    /// </summary>
    public static void Check(ReadOnlySpan<byte> data, ImageFormat format, StructureLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var counts = Inspect(data, format);
        if (counts.JpegScans > limits.MaxJpegScans)
            throw new ImageTooComplexException(string.Create(CultureInfo.InvariantCulture,
                $"The JPEG has {counts.JpegScans:N0} scans; at most {limits.MaxJpegScans:N0} are accepted, because the " +
                $"decoder passes over the whole image once per scan, so that many could take minutes (ordinary progressive JPEGs have up to about a dozen)."));
        if (counts.TiffTags > limits.MaxTiffTags)
            throw new ImageTooComplexException(string.Create(CultureInfo.InvariantCulture,
                $"The TIFF's first directory has {counts.TiffTags:N0} tags; at most {limits.MaxTiffTags:N0} are accepted, because the " +
                $"decoder's time grows with the square of their number (camera and scanner files have a few dozen)."));
        if (counts.PngOverlongChunk is var (type, declared, left))
            throw new InvalidImageException(string.Create(CultureInfo.InvariantCulture,
                $"The PNG file is truncated or corrupt: its {type} chunk claims {declared:N0} bytes where {left:N0} are left."));
    }

    /// <summary>Counts what <see cref="Check"/> bounds, and a JPEG's other marker segments.</summary>
    public static StructureCounts Inspect(ReadOnlySpan<byte> data, ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => InspectJpeg(data),
        ImageFormat.Tiff => InspectTiff(data),
        ImageFormat.Png => InspectPng(data),
        _ => default,
    };

    // Every marker up to the first EOI, as libjpeg reads them: a scan's entropy-coded data is skipped up to the next
    // 0xFF that is neither a stuffed zero nor a restart marker.
    private static StructureCounts InspectJpeg(ReadOnlySpan<byte> data)
    {
        int scans = 0, segments = 0;
        int pos = 2;
        while (pos < data.Length)
        {
            int next = data[pos..].IndexOf((byte)0xFF);
            if (next < 0)
                break;
            pos += next;
            while (pos < data.Length && data[pos] == 0xFF)
                pos++;
            if (pos >= data.Length)
                break;
            byte marker = data[pos++];
            if (marker is 0x00 or 0x01 or 0xD8 or (>= 0xD0 and <= 0xD7))
                continue; // A stuffed zero, TEM, SOI or a restart marker: no length.
            if (marker == 0xD9 || pos > data.Length - 2)
                break;
            int length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(pos, 2));
            if (length < 2)
                break;
            if (marker == 0xDA)
                scans++;
            else
                segments++;
            pos += length;
        }
        return new StructureCounts { JpegScans = scans, JpegSegments = segments };
    }

    // Chunk headers up to IEND; the first whose data runs past the end of the file is the one the decoder would allocate.
    private static StructureCounts InspectPng(ReadOnlySpan<byte> data)
    {
        long pos = 8;
        while (true)
        {
            long start = pos;
            if (!PngChunks.TryNext(data, ref pos, out uint type, out _))
                return default;
            uint declared = BinaryPrimitives.ReadUInt32BigEndian(data.Slice((int)start, 4));
            long left = data.Length - (start + 8);
            if (declared > left)
            {
                Span<char> name = stackalloc char[4];
                for (int i = 0; i < 4; i++)
                {
                    char c = (char)data[(int)start + 4 + i];
                    name[i] = char.IsAsciiLetter(c) ? c : '?';
                }
                return new StructureCounts { PngOverlongChunk = (new string(name), declared, left) };
            }
        }
    }

    private static StructureCounts InspectTiff(ReadOnlySpan<byte> data) =>
        TiffStructure.TryReadIfd0EntryCount(data, out long entries) ? new StructureCounts { TiffTags = entries } : default;
}
