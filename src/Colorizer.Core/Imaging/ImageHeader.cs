using System.Buffers.Binary;

namespace Colorizer.Core.Imaging;

/// <summary>Reads image dimensions from file headers without decoding any pixels.</summary>
public static class ImageHeader
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Reads the width and height stored in the header of <paramref name="data"/>, interpreted as <paramref name="format"/>,
    /// without decoding pixels. JPEG: the first SOFn frame header; PNG: IHDR; WebP: the VP8, VP8L or VP8X header;
    /// BMP: BITMAPCOREHEADER or BITMAPINFOHEADER and later (a negative, top-down height is returned as its absolute value);
    /// TIFF: ImageWidth (256) and ImageLength (257) of IFD0. The sizes are as stored, before any EXIF orientation.
    /// Every read is bounds-checked; this never throws on malformed input.
    /// </summary>
    /// <param name="data">The file, or at least its header (for JPEG, everything up to the frame header).</param>
    /// <param name="format">The format to read the header as, normally from <see cref="ImageFormatDetector.Detect"/>.</param>
    /// <param name="width">The width in pixels, or 0 when false is returned.</param>
    /// <param name="height">The height in pixels, or 0 when false is returned.</param>
    /// <returns>True when both dimensions were found and are positive; false when the header is too short or malformed.</returns>
    public static bool TryReadSize(ReadOnlySpan<byte> data, ImageFormat format, out int width, out int height)
    {
        if (TryReadDeclaredSize(data, format, out long w, out long h) && w is > 0 and <= int.MaxValue && h is > 0 and <= int.MaxValue)
        {
            width = (int)w;
            height = (int)h;
            return true;
        }

        width = 0;
        height = 0;
        return false;
    }

    /// <summary>
    /// The size as the header states it, zero included (a header that declares a 0×0 image is read, not failed), so
    /// the caller can tell an empty image from a truncated header. False only when the header cannot be read.
    /// </summary>
    internal static bool TryReadDeclaredSize(ReadOnlySpan<byte> data, ImageFormat format, out long width, out long height)
    {
        var ok = format switch
        {
            ImageFormat.Jpeg => TryJpeg(data, out width, out height),
            ImageFormat.Png => TryPng(data, out width, out height),
            ImageFormat.WebP => TryWebP(data, out width, out height),
            ImageFormat.Bmp => TryBmp(data, out width, out height),
            ImageFormat.Tiff => TryTiff(data, out width, out height),
            _ => Fail(out width, out height),
        };
        return ok || Fail(out width, out height);
    }

    private static bool Fail(out long w, out long h)
    {
        w = 0;
        h = 0;
        return false;
    }

    private static bool TryJpeg(ReadOnlySpan<byte> data, out long w, out long h)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            return Fail(out w, out h);
        }

        var pos = 2;
        while (JpegSegments.TryNext(data, ref pos, out var marker, out var range))
        {
            var payload = data[range];
            // SOF0-3, 5-7, 9-11, 13-15; C4 (DHT), C8 (JPG) and CC (DAC) are not frame headers.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (payload.Length < 5)
                {
                    break;
                }

                // Precision (1), number of lines (2), samples per line (2).
                h = BinaryPrimitives.ReadUInt16BigEndian(payload.Slice(1, 2));
                w = BinaryPrimitives.ReadUInt16BigEndian(payload.Slice(3, 2));
                return true;
            }
        }

        return Fail(out w, out h);
    }

    private static bool TryPng(ReadOnlySpan<byte> data, out long w, out long h)
    {
        if (data.Length < 24 || !data.StartsWith(PngSignature) || !data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return Fail(out w, out h);
        }

        w = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(16, 4));
        h = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(20, 4));
        return true;
    }

    private static bool TryWebP(ReadOnlySpan<byte> data, out long w, out long h)
    {
        if (data.Length < 20 || !data.StartsWith("RIFF"u8) || !data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return Fail(out w, out h);
        }

        var chunk = data.Slice(12, 4);
        var payload = data[20..];
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Frame tag (3 bytes), start code 9D 01 2A, then 14-bit width and height (top 2 bits are scaling).
            if (payload.Length < 10 || payload[3] != 0x9D || payload[4] != 0x01 || payload[5] != 0x2A)
            {
                return Fail(out w, out h);
            }

            w = BinaryPrimitives.ReadUInt16LittleEndian(payload.Slice(6, 2)) & 0x3FFF;
            h = BinaryPrimitives.ReadUInt16LittleEndian(payload.Slice(8, 2)) & 0x3FFF;
            return true;
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            // Signature 0x2F, then 14 bits width-1 and 14 bits height-1.
            if (payload.Length < 5 || payload[0] != 0x2F)
            {
                return Fail(out w, out h);
            }

            var bits = BinaryPrimitives.ReadUInt32LittleEndian(payload.Slice(1, 4));
            w = (bits & 0x3FFF) + 1;
            h = ((bits >> 14) & 0x3FFF) + 1;
            return true;
        }

        if (chunk.SequenceEqual("VP8X"u8))
        {
            // Flags (4 bytes), then 24-bit canvas width-1 and height-1.
            if (payload.Length < 10)
            {
                return Fail(out w, out h);
            }

            w = (payload[4] | (payload[5] << 8) | (payload[6] << 16)) + 1L;
            h = (payload[7] | (payload[8] << 8) | (payload[9] << 16)) + 1L;
            return true;
        }

        return Fail(out w, out h);
    }

    private static bool TryBmp(ReadOnlySpan<byte> data, out long w, out long h)
    {
        if (data.Length < 18 || data[0] != (byte)'B' || data[1] != (byte)'M')
        {
            return Fail(out w, out h);
        }

        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(14, 4));
        if (headerSize == 12)
        {
            // BITMAPCOREHEADER: unsigned 16-bit width and height.
            if (data.Length < 22)
            {
                return Fail(out w, out h);
            }

            w = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(18, 2));
            h = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(20, 2));
            return true;
        }

        if (headerSize is 16 or 40 or 52 or 56 or 64 or 108 or 124)
        {
            // BITMAPINFOHEADER and later (and OS/2 2.x): signed 32-bit width and height; a negative height means top-down.
            if (data.Length < 26)
            {
                return Fail(out w, out h);
            }

            w = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(18, 4));
            h = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data.Slice(22, 4)));
            return true;
        }

        return Fail(out w, out h);
    }

    private static bool TryTiff(ReadOnlySpan<byte> data, out long w, out long h)
    {
        Span<long> values = stackalloc long[2];
        if (!TiffStructure.TryReadIfd0(data, [256, 257], values) || values[0] < 0 || values[1] < 0)
        {
            return Fail(out w, out h);
        }

        w = values[0];
        h = values[1];
        return true;
    }
}
