using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using OpenCvSharp;

namespace Colorizer.Testing;

/// <summary>A file heavy with structure or metadata that decodes in ordinary time, and the size it decodes to.</summary>
/// <param name="Bytes">The file.</param>
/// <param name="Width">Its width (of the first page or frame).</param>
/// <param name="Height">Its height.</param>
public sealed record HeavyFile(byte[] Bytes, int Width, int Height);

/// <summary>A file a client might send, and the word a refusal of it must use.</summary>
/// <param name="Bytes">The file.</param>
/// <param name="Named">What the refusal's message names (the format it really is, or what is wrong).</param>
public sealed record HostileFile(byte[] Bytes, string Named);

/// <summary>
/// Files that are not what their name says: other image formats that OpenCV itself could decode (PNM, HDR, Sun Raster,
/// PFM), formats it may or may not be built with (JPEG 2000, OpenEXR), documents and archives; and supported formats
/// that are empty, truncated or corrupt. Each is looked up by a readable name, so theories can list them.
/// </summary>
public static class HostileFiles
{
    private const int Width = 64, Height = 48;

    /// <summary>Files in formats Colorizer does not take, each to be refused as such (415), by content.</summary>
    public static IReadOnlyDictionary<string, HostileFile> Unsupported { get; } = BuildUnsupported();

    /// <summary>Files in a supported format that cannot be decoded: empty, 0×0, truncated, corrupt (400).</summary>
    public static IReadOnlyDictionary<string, HostileFile> Undecodable { get; } = BuildUndecodable();

    /// <summary>
    /// Files within the size limits whose structure would keep OpenCV's decoder busy far longer than their size suggests
    /// (<see cref="SlowDecodeFiles"/>): refused before decoding (422), the refusal naming the count and the limit.
    /// </summary>
    public static IReadOnlyDictionary<string, HostileFile> TooComplex { get; } = new Dictionary<string, HostileFile>
    {
        ["progressive JPEG with 101 scans"] = new(SlowDecodeFiles.ProgressiveJpeg(Width, Height, 100), "101 scans; at most 100"),
        // 296 KB that took OpenCV 89 s to decode (docs/operations.md).
        ["progressive JPEG of 12 MP with 10,001 scans"] = new(SlowDecodeFiles.ProgressiveJpeg(4000, 3000, 10_000), "10,001 scans; at most 100"),
        ["TIFF with 1,510 tags"] = new(SlowDecodeFiles.TiffWithManyTags(Width, Height, 1500), "1,510 tags; at most 1,000"),
    };

    /// <summary>
    /// Files heavy with structure or metadata (segments, chunks, strips, tiles, pages, a text bomb) that were measured to
    /// decode in ordinary time, so they are not bounded beyond the file-size limit: each must be decoded at its size.
    /// </summary>
    public static IReadOnlyDictionary<string, HeavyFile> HeavyButOrdinary { get; } = BuildHeavy();

    /// <summary>A valid grey 64×48 image in the given format (extension with its dot).</summary>
    public static byte[] Valid(string extension)
    {
        using var grey = TestImages.Grey(Width, Height);
        return TestImages.Encode(grey, extension);
    }

    /// <summary>A JPEG whose entropy-coded data has 16 bytes flipped in the middle (its headers intact).</summary>
    public static byte[] JpegWithCorruptScan()
    {
        byte[] jpeg = Valid(".jpg");
        int scan = ScanStart(jpeg);
        int middle = scan + (jpeg.Length - 2 - scan) / 2;
        return Flip(jpeg, middle, 16);
    }

    private static Dictionary<string, HostileFile> BuildUnsupported()
    {
        using var grey = TestImages.Grey(Width, Height);
        using var bgr = new Mat();
        Cv2.CvtColor(grey, bgr, ColorConversionCodes.GRAY2BGR);
        using var floats = new Mat();
        bgr.ConvertTo(floats, MatType.CV_32FC3, 1 / 255.0);
        byte[] jpeg = TestImages.Encode(grey, ".jpg");

        return new Dictionary<string, HostileFile>
        {
            ["PGM (P5)"] = new(TestImages.Encode(grey, ".pgm"), "PNM"),
            ["PPM (P6)"] = new(TestImages.Encode(bgr, ".ppm"), "PNM"),
            ["PAM (P7)"] = new(TestImages.Encode(bgr, ".pam"), "PNM"),
            ["PFM"] = new(TestImages.Encode(floats, ".pfm"), "PFM"),
            ["Radiance HDR"] = new(TestImages.Encode(floats, ".hdr"), "Radiance HDR"),
            ["Sun Raster"] = new(TestImages.Encode(bgr, ".ras"), "Sun Raster"),
            ["JPEG 2000 (JP2 boxes)"] = new(Jp2(), "JPEG 2000"),
            ["JPEG 2000 (raw codestream)"] = new(J2kCodestream(), "JPEG 2000"),
            ["OpenEXR"] = new(OpenExr(), "OpenEXR"),
            ["GIF"] = new(TestImages.Encode(bgr, ".gif"), "GIF"),
            ["SVG"] = new(Encoding.UTF8.GetBytes(
                """<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48"><rect width="64" height="48" fill="#888"/></svg>"""), "SVG"),
            ["SVG with an XML declaration"] = new(Encoding.UTF8.GetBytes(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"), "SVG"),
            ["HTML"] = new(Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>"), "HTML"),
            ["PDF"] = new(Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), "PDF"),
            ["ZIP holding a JPEG"] = new(Zip("photo.jpg", jpeg), "ZIP"),
            ["GZIP of a JPEG"] = new(Gzip(jpeg), "GZIP"),
            ["plain text"] = new(Encoding.UTF8.GetBytes("Grandma's wedding, 1952. Scan it at 600 dpi.\n"), "text"),
        };
    }

    private static Dictionary<string, HeavyFile> BuildHeavy()
    {
        using var grey = TestImages.Grey(Width, Height);
        byte[] jpeg = TestImages.Encode(grey, ".jpg"), png = TestImages.Encode(grey, ".png"), webp = TestImages.Encode(grey, ".webp");
        HeavyFile Of(byte[] bytes) => new(bytes, Width, Height);
        return new Dictionary<string, HeavyFile>
        {
            ["progressive JPEG (OpenCV)"] = Of(TestImages.Encode(grey, ".jpg", (int)ImwriteFlags.JpegProgressive, 1)),
            ["progressive JPEG with 100 scans (the limit)"] = Of(SlowDecodeFiles.ProgressiveJpeg(Width, Height, 99)),
            ["JPEG with a restart marker after every MCU"] = Of(TestImages.Encode(grey, ".jpg", (int)ImwriteFlags.JpegRstInterval, 1)),
            ["JPEG with 5,000 empty COM segments"] = Of(SlowDecodeFiles.JpegWithSegments(jpeg, 5000, 0)),
            ["JPEG with 16 APP1 segments of 64 KB"] = Of(SlowDecodeFiles.JpegWithSegments(jpeg, 16, 65_533, 0xE1)),
            ["PNG with 2,000 tEXt chunks"] = Of(SlowDecodeFiles.PngWithTextChunks(png, 2000)),
            ["PNG with 2,000 zTXt chunks"] = Of(SlowDecodeFiles.PngWithTextChunks(png, 2000, "zTXt")),
            ["PNG with 2,000 iTXt chunks"] = Of(SlowDecodeFiles.PngWithTextChunks(png, 2000, "iTXt")),
            ["PNG with a zTXt inflating to 64 MB"] = Of(SlowDecodeFiles.PngWithZtxtBomb(png, 64 << 20)),
            ["PNG with its image data in 1-byte IDAT chunks and 20,000 empty ones"] = Of(SlowDecodeFiles.PngWithManyIdatChunks(png, 1, 20_000)),
            ["Adam7-interlaced PNG"] = Of(SlowDecodeFiles.InterlacedPng(Width, Height, 128)),
            ["TIFF in 1-row strips"] = Of(SlowDecodeFiles.StripTiff(Width, Height, 1)),
            ["TIFF in 16×16 tiles, each a JPEG"] = Of(SlowDecodeFiles.TiledTiff(Width, Height, 16, TiffPieces.Jpeg)),
            ["TIFF whose strip table declares 100,000 strips"] = Of(SlowDecodeFiles.StripTiff(Width, Height, Height, declaredStrips: 100_000)),
            ["TIFF with 500 unknown tags"] = Of(SlowDecodeFiles.TiffWithManyTags(Width, Height, 500)),
            ["TIFF of 2,000 pages (8×8 each)"] = new(SlowDecodeFiles.MultiPageTiff(2000), 8, 8),
            ["WebP with 5,000 unknown chunks"] = Of(SlowDecodeFiles.WebPWithChunks(webp, Width, Height, 5000, 0)),
        };
    }

    private static Dictionary<string, HostileFile> BuildUndecodable()
    {
        byte[] jpeg = Valid(".jpg"), png = Valid(".png"), webp = Valid(".webp"), bmp = Valid(".bmp"), tiff = Valid(".tiff");
        int idat = IdatDataStart(png);
        return new Dictionary<string, HostileFile>
        {
            ["empty (0 bytes)"] = new([], "empty"),
            ["PNG 0×0"] = new(Png.FromChunks([("IHDR", Png.Header(0, 0)), ("IDAT", Png.Chunks(png).First(c => c.Type == "IDAT").Data), ("IEND", [])]), "PNG"),
            ["JPEG 0×0"] = new(JpegWithSize(jpeg, 0, 0), "JPEG"),
            ["BMP 0×0"] = new(BmpWithSize(bmp, 0, 0), "BMP"),
            ["PNG signature only"] = new(Png.Signature.ToArray(), "PNG"),
            ["JPEG headers only"] = new(jpeg[..ScanStart(jpeg)], "JPEG"),
            ["JPEG cut in half"] = new(jpeg[..(jpeg.Length / 2)], "JPEG"),
            ["JPEG without its end marker"] = new(jpeg[..^2], "JPEG"),
            ["PNG cut in half"] = new(png[..(png.Length / 2)], "PNG"),
            ["WebP cut in half"] = new(webp[..(webp.Length / 2)], "WebP"),
            ["BMP cut in half"] = new(bmp[..(bmp.Length / 2)], "BMP"),
            ["TIFF cut in half"] = new(tiff[..(tiff.Length / 2)], "TIFF"),
            ["PNG with flipped bytes in its image data"] = new(Flip(png, idat + 8, 16), "PNG"),
            ["WebP with flipped bytes in its bitstream"] = new(Flip(webp, 20 + (webp.Length - 20) / 2, 16), "WebP"),
            ["JPEG with a corrupt Huffman table"] = new(CorruptHuffmanTable(jpeg), "JPEG"),
            // OpenCV's PNG reader sets aside a chunk's claimed length before reading it: 3 GB and seconds for these.
            ["PNG whose IDAT claims 3 GB"] = new(SlowDecodeFiles.PngWithOverlongChunk(png, "IDAT", 3_000_000_000), "claims 3,000,000,000 bytes"),
            ["PNG with a tEXt chunk claiming 4 GB"] = new(SlowDecodeFiles.PngWithOverlongChunk(png, "tEXt", uint.MaxValue), "claims 4,294,967,295 bytes"),
        };
    }

    /// <summary>A copy with <paramref name="count"/> bytes from <paramref name="offset"/> inverted.</summary>
    public static byte[] Flip(byte[] data, int offset, int count)
    {
        var copy = (byte[])data.Clone();
        for (int i = offset; i < offset + count && i < copy.Length; i++)
            copy[i] ^= 0xFF;
        return copy;
    }

    /// <summary>Where a JPEG's first scan's entropy-coded data starts (after the SOS segment).</summary>
    public static int ScanStart(byte[] jpeg)
    {
        int position = 2;
        while (position + 4 <= jpeg.Length && jpeg[position] == 0xFF)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(position + 2));
            if (jpeg[position + 1] == 0xDA)
                return position + 2 + length;
            position += 2 + length;
        }
        throw new ArgumentException("No scan found.");
    }

    private static int SegmentStart(byte[] jpeg, byte marker)
    {
        int position = 2;
        while (position + 4 <= jpeg.Length && jpeg[position] == 0xFF)
        {
            if (jpeg[position + 1] == marker)
                return position;
            position += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(position + 2));
        }
        throw new ArgumentException($"No FF{marker:X2} segment.");
    }

    private static byte[] JpegWithSize(byte[] jpeg, ushort width, ushort height)
    {
        var copy = (byte[])jpeg.Clone();
        int frame = SegmentStart(copy, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(frame + 5), height);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(frame + 7), width);
        return copy;
    }

    // The first DHT's 16 code counts claim far more codes than the table holds: libjpeg's "Bogus Huffman table".
    private static byte[] CorruptHuffmanTable(byte[] jpeg)
    {
        var copy = (byte[])jpeg.Clone();
        int table = SegmentStart(copy, 0xC4);
        copy.AsSpan(table + 5, 16).Fill(0xFF);
        return copy;
    }

    private static byte[] BmpWithSize(byte[] bmp, int width, int height)
    {
        var copy = (byte[])bmp.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(22), height);
        return copy;
    }

    private static int IdatDataStart(byte[] png)
    {
        int position = 8;
        while (position + 8 <= png.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position));
            if (Encoding.ASCII.GetString(png, position + 4, 4) == "IDAT")
                return position + 8;
            position += 12 + length;
        }
        throw new ArgumentException("No IDAT.");
    }

    // A JP2 file's signature box, its file-type box and the start of its header box.
    private static byte[] Jp2() =>
    [
        0x00, 0x00, 0x00, 0x0C, (byte)'j', (byte)'P', 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
        0x00, 0x00, 0x00, 0x14, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'j', (byte)'p', (byte)'2', 0x20,
        0x00, 0x00, 0x00, 0x00, (byte)'j', (byte)'p', (byte)'2', 0x20,
        0x00, 0x00, 0x00, 0x2D, (byte)'j', (byte)'p', (byte)'2', (byte)'h',
        0x00, 0x00, 0x00, 0x16, (byte)'i', (byte)'h', (byte)'d', (byte)'r',
        0x00, 0x00, 0x00, Height, 0x00, 0x00, 0x00, Width, 0x00, 0x01, 0x07, 0x07, 0x00, 0x00,
    ];

    // A raw JPEG 2000 codestream: SOC, then SIZ for one 8-bit component.
    private static byte[] J2kCodestream() =>
    [
        0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x29, 0x00, 0x00,
        0x00, 0x00, 0x00, Width, 0x00, 0x00, 0x00, Height, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, Width, 0x00, 0x00, 0x00, Height, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x07, 0x01, 0x01, 0xFF, 0xD9,
    ];

    // OpenEXR's magic number, version 2, and the start of its header's attribute list.
    private static byte[] OpenExr() =>
    [
        0x76, 0x2F, 0x31, 0x01, 0x02, 0x00, 0x00, 0x00,
        .. "channels\0chlist\0"u8, 0x12, 0x00, 0x00, 0x00, .. "Y\0"u8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    ];

    private static byte[] Zip(string name, byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry(name).Open();
            entry.Write(content);
        }
        return buffer.ToArray();
    }

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(content);
        return buffer.ToArray();
    }
}
