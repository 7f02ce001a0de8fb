using System.Buffers.Binary;
using System.Text.Unicode;

namespace Colorizer.Core.Imaging;

/// <summary>Recognises the supported image formats by their content (magic bytes), and names common unsupported ones.</summary>
public static class ImageFormatDetector
{
    private const string SupportedList = "supported formats are JPEG, PNG, WebP, BMP and TIFF.";

    /// <summary>
    /// Detects the format of <paramref name="data"/> by its magic bytes only (the file name plays no part).
    /// Returns <see langword="null"/> when the data is not one of the five supported formats. Never throws.
    /// </summary>
    /// <param name="data">The beginning of the file (at least the first 32 bytes for a reliable answer), or all of it.</param>
    public static ImageFormat? Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return ImageFormat.Jpeg;
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ImageFormat.Png;
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ImageFormat.WebP;
        }

        if (IsBmp(data))
        {
            return ImageFormat.Bmp;
        }

        if (TiffStructure.HasSignature(data))
        {
            return ImageFormat.Tiff;
        }

        return null;
    }

    /// <summary>
    /// Identifies the format of <paramref name="data"/> by content, or explains why it cannot be used.
    /// </summary>
    /// <param name="data">The beginning of the file (the first few kilobytes suffice), or all of it.</param>
    /// <returns>The detected supported format.</returns>
    /// <exception cref="InvalidImageException">The input is empty.</exception>
    /// <exception cref="UnsupportedImageFormatException">
    /// The input is not a supported image; the message names what it looks like when that is recognisable
    /// (e.g. "The file is a GIF image; supported formats are JPEG, PNG, WebP, BMP and TIFF.").
    /// </exception>
    public static ImageFormat Identify(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new InvalidImageException("The file is empty (0 bytes).");
        }

        if (Detect(data) is { } format)
        {
            return format;
        }

        var what = Describe(data);
        throw new UnsupportedImageFormatException(what is null
            ? $"The file is not in a recognised image format; {SupportedList}"
            : $"The file is {what}; {SupportedList}");
    }

    // BMP has only a 2-byte magic ("BM"), which plain text can start with too, so the DIB header size must be a known one:
    // 12 (BITMAPCOREHEADER), 16 and 64 (OS/2 2.x), 40 (BITMAPINFOHEADER), 52/56 (V2/V3), 108 (V4), 124 (V5).
    internal static bool IsBmp(ReadOnlySpan<byte> data) =>
        data.Length >= 18 && data[0] == (byte)'B' && data[1] == (byte)'M' &&
        BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(14, 4)) is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124;

    /// <summary>A short description ("a GIF image") of a recognisable unsupported format, or null.</summary>
    internal static string? Describe(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return "a GIF image";
        }

        if (data.StartsWith("#?RADIANCE"u8) || data.StartsWith("#?RGBE"u8))
        {
            return "a Radiance HDR image";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, (byte)'j', (byte)'P', 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]) ||
            data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51]))
        {
            return "a JPEG 2000 image";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, (byte)'J', (byte)'X', (byte)'L', 0x20, 0x0D, 0x0A, 0x87, 0x0A]) ||
            data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x0A]))
        {
            return "a JPEG XL image";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x76, 0x2F, 0x31, 0x01]))
        {
            return "an OpenEXR image";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x59, 0xA6, 0x6A, 0x95]))
        {
            return "a Sun Raster image";
        }

        if (data.Length >= 3 && data[0] == (byte)'P' && data[1] is >= (byte)'1' and <= (byte)'7' && IsAsciiWhitespace(data[2]))
        {
            return "a PNM/PxM image (PBM/PGM/PPM/PAM)";
        }

        if (data.Length >= 3 && data[0] == (byte)'P' && data[1] is (byte)'F' or (byte)'f' && IsAsciiWhitespace(data[2]))
        {
            return "a PFM image";
        }

        if (data.StartsWith("%PDF-"u8))
        {
            return "a PDF document";
        }

        if (data.StartsWith("8BPS"u8))
        {
            return "a Photoshop (PSD) document";
        }

        if (data.Length >= 4 && data[0] == (byte)'P' && data[1] == (byte)'K' &&
            ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6) || (data[2] == 7 && data[3] == 8)))
        {
            return "a ZIP archive";
        }

        if (data.Length >= 2 && data[0] == 0x1F && data[1] == 0x8B)
        {
            return "a GZIP archive";
        }

        if (data.StartsWith("RIFF"u8))
        {
            return "a RIFF file (such as WAV or AVI) that is not WebP";
        }

        if (data.Length >= 12 && data.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            var brand = data.Slice(8, 4);
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8))
            {
                return "an AVIF image";
            }

            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("hevc"u8) ||
                brand.SequenceEqual("hevx"u8) || brand.SequenceEqual("heim"u8) || brand.SequenceEqual("heis"u8) ||
                brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8))
            {
                return "a HEIC/HEIF image";
            }

            return "an ISO media file (such as MP4 or MOV)";
        }

        if (data.Length >= 6 && data[0] == 0 && data[1] == 0 && data[2] is 1 or 2 && data[3] == 0 && (data[4] | data[5]) != 0)
        {
            return "an ICO/CUR icon";
        }

        var text = data.Length > 4096 ? data[..4096] : data;
        if (text.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            text = text[3..];
        }

        var trimmed = TrimStartAsciiWhitespace(text);
        if (StartsWithIgnoreCase(trimmed, "<?xml") || StartsWithIgnoreCase(trimmed, "<svg") ||
            StartsWithIgnoreCase(trimmed, "<!DOCTYPE svg"))
        {
            return "an SVG/XML document";
        }

        if (StartsWithIgnoreCase(trimmed, "<!DOCTYPE html") || StartsWithIgnoreCase(trimmed, "<html"))
        {
            return "an HTML document";
        }

        if (IsText(text, cut: data.Length > 4096))
        {
            return "a text file";
        }

        if (data.StartsWith("BM"u8))
        {
            return "a BMP file with an unknown or damaged header";
        }

        return null;
    }

    private static bool IsAsciiWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0x0B or 0x0C;

    private static ReadOnlySpan<byte> TrimStartAsciiWhitespace(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length && IsAsciiWhitespace(data[i]))
        {
            i++;
        }

        return data[i..];
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> data, string prefix)
    {
        if (data.Length < prefix.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            if (char.ToLowerInvariant((char)data[i]) != char.ToLowerInvariant(prefix[i]))
            {
                return false;
            }
        }

        return true;
    }

    // Text: valid UTF-8 (allowing a multi-byte sequence cut by the sample's end) without control characters
    // other than tab, line feed, carriage return and form feed.
    private static bool IsText(ReadOnlySpan<byte> sample, bool cut)
    {
        if (sample.IsEmpty)
        {
            return false;
        }

        foreach (var b in sample)
        {
            if ((b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C)) || b == 0x7F)
            {
                return false;
            }
        }

        if (Utf8.IsValid(sample))
        {
            return true;
        }

        for (var drop = 1; cut && drop <= 3 && drop < sample.Length; drop++)
        {
            if (Utf8.IsValid(sample[..^drop]))
            {
                return true;
            }
        }

        return false;
    }
}
