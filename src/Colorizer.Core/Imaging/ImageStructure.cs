using System.Buffers.Binary;
using System.Globalization;

namespace Colorizer.Core.Imaging;

/// <summary>What <see cref="ImageStructure.Inspect"/> counted in a file; the fields that do not apply to its format are 0.</summary>
/// <param name="JpegScans">A JPEG's scans (SOS segments), up to its first EOI.</param>
/// <param name="JpegSegments">A JPEG's other marker segments (APPn, COM, DQT, DHT, DRI…), up to its first EOI.</param>
/// <param name="TiffTags">The entries of a TIFF's first directory that the file holds.</param>
public readonly record struct StructureCounts(int JpegScans, int JpegSegments, long TiffTags);

/// <summary>
/// Reads a file's structure, not its pixels, and refuses the structures that make OpenCV's decoders slow within the size
/// limits (<see cref="StructureLimits"/>): a JPEG's scans, a TIFF directory's tags. One pass over a JPEG's markers (the
/// scans' entropy-coded data skipped as libjpeg skips it, up to the next marker), or over a TIFF's first directory;
/// bounds-checked and never throwing on malformed input, which is left to the decoder to refuse.
/// </summary>
public static class ImageStructure
{
    /// <summary>
    /// Throws <see cref="ImageTooComplexException"/> when <paramref name="data"/> (of <paramref name="format"/>) has more
    /// of something than <paramref name="limits"/> allow; the message says what, how many, the limit and why.
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
    }

    /// <summary>Counts what <see cref="Check"/> bounds, and a JPEG's other marker segments.</summary>
    public static StructureCounts Inspect(ReadOnlySpan<byte> data, ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => InspectJpeg(data),
        ImageFormat.Tiff => InspectTiff(data),
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

    private static StructureCounts InspectTiff(ReadOnlySpan<byte> data) =>
        TiffStructure.TryReadIfd0EntryCount(data, out long entries) ? new StructureCounts { TiffTags = entries } : default;
}
