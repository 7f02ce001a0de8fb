using OpenCvSharp;

namespace Colorizer.Core.Imaging;

/// <summary>Reads the EXIF orientation tag (0x0112) from image files and applies it to decoded images.</summary>
public static class ExifOrientation
{
    private const ushort OrientationTag = 0x0112;

    private static ReadOnlySpan<byte> ExifHeader => "Exif\0\0"u8;

    /// <summary>
    /// Reads the EXIF orientation (1..8) of <paramref name="data"/>, interpreted as <paramref name="format"/>:
    /// JPEG: the first APP1 segment starting with <c>Exif\0\0</c>; PNG: the <c>eXIf</c> chunk; WebP: the RIFF <c>EXIF</c> chunk;
    /// TIFF: tag 0x0112 in IFD0 of the file itself; BMP has no EXIF.
    /// Returns 1 (normal) when the tag is absent, malformed or out of range. Never throws on malformed input.
    /// </summary>
    /// <param name="data">The whole file (for PNG and WebP the EXIF chunk may come after the image data).</param>
    /// <param name="format">The format of <paramref name="data"/>, normally from <see cref="ImageFormatDetector.Detect"/>.</param>
    /// <returns>The orientation, 1..8.</returns>
    public static int Read(ReadOnlySpan<byte> data, ImageFormat format)
    {
        var tiff = format switch
        {
            ImageFormat.Jpeg => FindJpegExif(data),
            ImageFormat.Png => FindPngExif(data),
            ImageFormat.WebP => FindWebPExif(data),
            ImageFormat.Tiff => data,
            _ => default,
        };

        return FromTiff(tiff);
    }

    /// <summary>
    /// Applies an EXIF orientation to a decoded image with <see cref="Cv2.Flip"/>, <see cref="Cv2.Rotate"/> and
    /// <see cref="Cv2.Transpose"/>: 2 mirror horizontal, 3 rotate 180°, 4 mirror vertical, 5 transpose,
    /// 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise. Works for any depth and channel count.
    /// </summary>
    /// <param name="image">The decoded image, as stored in the file (it is not changed).</param>
    /// <param name="orientation">The EXIF orientation, normally from <see cref="Read"/>.</param>
    /// <returns>
    /// A new <see cref="Mat"/>, owned by the caller, when the orientation changes anything; <paramref name="image"/> itself
    /// for orientation 1, for values outside 1..8 and for an empty image.
    /// </returns>
    /// <remarks>
    /// Beware double rotation: OpenCV 4.13's <see cref="Cv2.ImDecode(byte[], ImreadModes)"/> already applies the EXIF
    /// orientation of JPEG, PNG and WebP unless <see cref="ImreadModes.IgnoreOrientation"/> (or
    /// <see cref="ImreadModes.Unchanged"/>) is given, and its TIFF decoder applies the TIFF Orientation tag always,
    /// even with <see cref="ImreadModes.IgnoreOrientation"/>. Use this on images decoded with
    /// <see cref="ImreadModes.IgnoreOrientation"/>, and never on TIFFs decoded by OpenCV.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    public static Mat Apply(Mat image, int orientation)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (orientation is < 2 or > 8 || image.Empty())
        {
            return image;
        }

        var result = new Mat();
        try
        {
            switch (orientation)
            {
                case 2:
                    Cv2.Flip(image, result, FlipMode.Y);
                    break;
                case 3:
                    Cv2.Rotate(image, result, RotateFlags.Rotate180);
                    break;
                case 4:
                    Cv2.Flip(image, result, FlipMode.X);
                    break;
                case 5:
                    Cv2.Transpose(image, result);
                    break;
                case 6:
                    Cv2.Rotate(image, result, RotateFlags.Rotate90Clockwise);
                    break;
                case 7:
                    Cv2.Transpose(image, result);
                    Cv2.Flip(result, result, FlipMode.XY);
                    break;
                default:
                    Cv2.Rotate(image, result, RotateFlags.Rotate90Counterclockwise);
                    break;
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static int FromTiff(ReadOnlySpan<byte> tiff)
    {
        Span<long> value = stackalloc long[1];
        return TiffStructure.TryReadIfd0(tiff, [OrientationTag], value) && value[0] is >= 1 and <= 8 ? (int)value[0] : 1;
    }

    // Some writers put the JPEG "Exif\0\0" prefix into PNG and WebP EXIF chunks too; tolerate it.
    private static ReadOnlySpan<byte> StripExifHeader(ReadOnlySpan<byte> payload) =>
        payload.StartsWith(ExifHeader) ? payload[ExifHeader.Length..] : payload;

    private static ReadOnlySpan<byte> FindJpegExif(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            return default;
        }

        var pos = 2;
        while (JpegSegments.TryNext(data, ref pos, out var marker, out var range))
        {
            var payload = data[range];
            if (marker == 0xE1 && payload.StartsWith(ExifHeader))
            {
                return payload[ExifHeader.Length..];
            }
        }

        return default;
    }

    private static ReadOnlySpan<byte> FindPngExif(ReadOnlySpan<byte> data)
    {
        long pos = 8;
        while (PngChunks.TryNext(data, ref pos, out uint type, out var payload))
        {
            if (type == PngChunks.Type("eXIf"u8))
                return StripExifHeader(data[payload]);
        }
        return default;
    }

    private static ReadOnlySpan<byte> FindWebPExif(ReadOnlySpan<byte> data)
    {
        if (!RiffChunks.IsWebP(data))
            return default;
        long pos = 12;
        while (RiffChunks.TryNext(data, ref pos, out uint type, out var payload))
        {
            if (type == RiffChunks.Type("EXIF"u8))
                return StripExifHeader(data[payload]);
        }
        return default;
    }
}
