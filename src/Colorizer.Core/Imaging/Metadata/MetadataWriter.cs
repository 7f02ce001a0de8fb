using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Colorizer.Core.Imaging.Metadata;

/// <summary>
/// Puts <see cref="OutputMetadata"/> into an encoded image: JPEG segments (APP0 density, APP1 EXIF and XMP, APP2 ICC,
/// APP13 IPTC), PNG chunks (<c>iCCP</c>, <c>pHYs</c>, <c>eXIf</c>, <c>iTXt</c>), WebP chunks (<c>VP8X</c>, <c>ICCP</c>,
/// <c>EXIF</c>, <c>XMP </c>) and TIFF tags (a new IFD0 appended). The encoders (OpenCV's and Colorizer's PNG writer)
/// write pixels only, and no library on hand writes these containers' metadata blocks for all four formats, so they
/// are spliced in here; the tests read them back with MetadataExtractor and ImageMagick.
/// </summary>
internal static class MetadataWriter
{
    // A JPEG segment holds at most 65,533 bytes after its length field.
    private const int MaxSegment = 65533;

    private static ReadOnlySpan<byte> ExifHeader => "Exif\0\0"u8;
    private static ReadOnlySpan<byte> XmpHeader => "http://ns.adobe.com/xap/1.0/\0"u8;
    private static ReadOnlySpan<byte> IccHeader => "ICC_PROFILE\0"u8;

    public static byte[] Embed(byte[] encoded, OutputFormat format, OutputMetadata metadata, bool hasAlpha, int width, int height) => format switch
    {
        OutputFormat.Jpeg => EmbedJpeg(encoded, metadata),
        OutputFormat.Png => EmbedPng(encoded, metadata),
        OutputFormat.WebP => EmbedWebP(encoded, metadata, hasAlpha, width, height),
        _ => EmbedTiff(encoded, metadata),
    };

    private static byte[] EmbedJpeg(byte[] jpeg, OutputMetadata metadata)
    {
        using var output = new MemoryStream(jpeg.Length + 4096);
        output.Write(jpeg.AsSpan(0, 2)); // SOI
        int rest = 2;
        // The encoder's JFIF header comes first, with the density when it is known.
        int pos = 2;
        if (JpegSegments.TryNext(jpeg, ref pos, out byte marker, out var range) && marker == 0xE0)
        {
            var app0 = jpeg[(range.Start.Value - 4)..pos].ToArray();
            if (metadata.Resolution is { } resolution && app0.AsSpan(4).StartsWith("JFIF\0"u8) && app0.Length >= 16)
            {
                app0[11] = 1; // dots per inch
                BinaryPrimitives.WriteUInt16BigEndian(app0.AsSpan(12), Density(resolution.X));
                BinaryPrimitives.WriteUInt16BigEndian(app0.AsSpan(14), Density(resolution.Y));
            }
            output.Write(app0);
            rest = pos;
        }
        Segment(output, 0xE1, ExifHeader, metadata.ExifBlock(MaxSegment - ExifHeader.Length));
        byte[] xmp = Encoding.UTF8.GetBytes(metadata.Xmp);
        if (XmpHeader.Length + xmp.Length <= MaxSegment)
            Segment(output, 0xE1, XmpHeader, xmp);
        if (metadata.IccProfile is { } icc)
            WriteJpegIcc(output, icc);
        if (metadata.Iptc is { } iptc && PhotoshopIptc(iptc) is { Length: <= MaxSegment } photoshop)
            Segment(output, 0xED, [], photoshop);
        output.Write(jpeg.AsSpan(rest));
        return output.ToArray();
    }

    private static ushort Density(double dpi) => (ushort)Math.Clamp(Math.Round(dpi), 1, ushort.MaxValue);

    // A profile over one segment is split into numbered chunks (ICC.1, annex B.4).
    private static void WriteJpegIcc(Stream output, byte[] icc)
    {
        int chunk = MaxSegment - IccHeader.Length - 2;
        int count = (icc.Length + chunk - 1) / chunk;
        if (count > 255)
            return;
        Span<byte> header = stackalloc byte[IccHeader.Length + 2];
        IccHeader.CopyTo(header);
        for (int i = 0; i < count; i++)
        {
            var body = icc.AsSpan(i * chunk, Math.Min(chunk, icc.Length - i * chunk));
            header[^2] = (byte)(i + 1);
            header[^1] = (byte)count;
            Segment(output, 0xE2, header, body);
        }
    }

    // APP13: "Photoshop 3.0", one image resource 0x0404 (IPTC-NAA) with an empty name.
    private static byte[] PhotoshopIptc(byte[] iptc)
    {
        var resource = new byte[14 + 12 + iptc.Length + (iptc.Length & 1)];
        "Photoshop 3.0\0"u8.CopyTo(resource);
        "8BIM"u8.CopyTo(resource.AsSpan(14));
        BinaryPrimitives.WriteUInt16BigEndian(resource.AsSpan(18), 0x0404);
        BinaryPrimitives.WriteUInt32BigEndian(resource.AsSpan(22), (uint)iptc.Length);
        iptc.CopyTo(resource.AsSpan(26));
        return resource;
    }

    private static void Segment(Stream output, byte marker, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        Span<byte> start = [0xFF, marker, 0, 0];
        BinaryPrimitives.WriteUInt16BigEndian(start[2..], (ushort)(2 + header.Length + body.Length));
        output.Write(start);
        output.Write(header);
        output.Write(body);
    }

    /// <summary>The metadata chunks of a PNG, in order, to go right after IHDR.</summary>
    public static byte[] PngChunks(OutputMetadata metadata)
    {
        using var chunks = new MemoryStream();
        if (metadata.IccProfile is { } icc)
        {
            using var data = new MemoryStream();
            data.Write("ICC profile\0\0"u8);
            using (var zlib = new ZLibStream(data, CompressionLevel.Optimal, leaveOpen: true))
                zlib.Write(icc);
            chunks.Write(PngEncoder.Chunk("iCCP"u8, data.ToArray()));
        }
        if (metadata.Resolution is { } resolution)
        {
            var phys = new byte[9];
            BinaryPrimitives.WriteUInt32BigEndian(phys, PerMetre(resolution.X));
            BinaryPrimitives.WriteUInt32BigEndian(phys.AsSpan(4), PerMetre(resolution.Y));
            phys[8] = 1; // the unit is the metre
            chunks.Write(PngEncoder.Chunk("pHYs"u8, phys));
        }
        chunks.Write(PngEncoder.Chunk("eXIf"u8, metadata.ExifBlock(int.MaxValue)));
        // iTXt: keyword, NUL, uncompressed, method 0, no language tag, no translated keyword, the packet.
        var itxt = new List<byte>(Encoding.Latin1.GetBytes("XML:com.adobe.xmp"));
        itxt.AddRange([0, 0, 0, 0, 0]);
        itxt.AddRange(Encoding.UTF8.GetBytes(metadata.Xmp));
        chunks.Write(PngEncoder.Chunk("iTXt"u8, itxt.ToArray()));
        return chunks.ToArray();
    }

    private static uint PerMetre(double dpi) => (uint)Math.Clamp(Math.Round(dpi / 0.0254), 1, int.MaxValue);

    private static byte[] EmbedPng(byte[] png, OutputMetadata metadata)
    {
        // IHDR is always the first chunk: 8 signature bytes, then 4 + 4 + 13 + 4.
        const int afterHeader = 8 + 25;
        byte[] chunks = PngChunks(metadata);
        var output = new byte[png.Length + chunks.Length];
        png.AsSpan(0, afterHeader).CopyTo(output);
        chunks.CopyTo(output, afterHeader);
        png.AsSpan(afterHeader).CopyTo(output.AsSpan(afterHeader + chunks.Length));
        return output;
    }

    // The extended format (VP8X) is what may carry metadata: flags, then the canvas size less one, 24 bits each.
    private static byte[] EmbedWebP(byte[] webp, OutputMetadata metadata, bool hasAlpha, int width, int height)
    {
        var image = new List<(uint Type, byte[] Data)>();
        bool alpha = hasAlpha;
        long pos = 12;
        while (RiffChunks.TryNext(webp, ref pos, out uint type, out var range))
        {
            if (type == RiffChunks.Type("VP8X"u8))
            {
                alpha |= webp.Length > range.Start.Value && (webp[range.Start.Value] & 0x10) != 0;
                continue;
            }
            image.Add((type, webp[range]));
        }
        byte flags = (byte)((alpha ? 0x10 : 0) | 0x08 | 0x04 | (metadata.IccProfile is null ? 0 : 0x20));
        var vp8x = new byte[10];
        vp8x[0] = flags;
        WriteUInt24(vp8x.AsSpan(4), width - 1);
        WriteUInt24(vp8x.AsSpan(7), height - 1);

        using var body = new MemoryStream(webp.Length + 4096);
        body.Write("WEBP"u8);
        RiffChunk(body, "VP8X"u8, vp8x);
        if (metadata.IccProfile is { } icc)
            RiffChunk(body, "ICCP"u8, icc);
        Span<byte> name = stackalloc byte[4];
        foreach (var (type, data) in image)
        {
            BinaryPrimitives.WriteUInt32BigEndian(name, type);
            RiffChunk(body, name, data);
        }
        RiffChunk(body, "EXIF"u8, metadata.ExifBlock(int.MaxValue));
        RiffChunk(body, "XMP "u8, Encoding.UTF8.GetBytes(metadata.Xmp));

        var output = new byte[8 + body.Length];
        "RIFF"u8.CopyTo(output);
        BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(4), (uint)body.Length);
        body.GetBuffer().AsSpan(0, (int)body.Length).CopyTo(output.AsSpan(8));
        return output;
    }

    private static void WriteUInt24(Span<byte> destination, int value)
    {
        destination[0] = (byte)value;
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)(value >> 16);
    }

    private static void RiffChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        type.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)data.Length);
        output.Write(header);
        output.Write(data);
        if ((data.Length & 1) != 0)
            output.WriteByte(0);
    }

    // The encoder's IFD0 (its strips stay where they are: their offsets are absolute) joined with the metadata's tags,
    // written as a new IFD0 at the end of the file; the header then points at it.
    private static byte[] EmbedTiff(byte[] tiff, OutputMetadata metadata)
    {
        var ifd0 = TiffIfd.ReadIfd0(tiff, [])
            ?? throw new InvalidOperationException("The TIFF encoder's output has no readable first directory.");
        if (tiff[0] != 'I')
            throw new InvalidOperationException("The TIFF encoder's output is not little-endian.");
        foreach (var entry in metadata.Exif.Entries)
            ifd0.Set(entry);
        foreach (var (tag, sub) in metadata.Exif.SubIfds)
            ifd0.SubIfds[tag] = sub;
        if (metadata.Resolution is { } resolution)
            OutputMetadata.AddResolution(ifd0, resolution);
        ifd0.Set(TiffEntry.Bytes(ExifTags.Xmp, TiffEntry.TypeByte, Encoding.UTF8.GetBytes(metadata.Xmp)));
        if (metadata.Iptc is { } iptc)
            ifd0.Set(TiffEntry.Bytes(ExifTags.Iptc, TiffEntry.TypeUndefined, iptc));
        if (metadata.IccProfile is { } icc)
            ifd0.Set(TiffEntry.Bytes(ExifTags.IccProfile, TiffEntry.TypeUndefined, icc));

        int at = tiff.Length + (tiff.Length & 1);
        var output = new byte[at + ifd0.Size()];
        tiff.CopyTo(output, 0);
        ifd0.WriteAt(output.AsSpan(at), (uint)at);
        BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(4), (uint)at);
        return output;
    }
}
