using Colorizer.Core.Imaging.Metadata;
using OpenCvSharp;

namespace Colorizer.Core.Imaging;

/// <summary>The formats Colorizer writes.</summary>
public enum OutputFormat
{
    /// <summary>Lossless; keeps alpha and 16-bit depth. The default.</summary>
    Png,

    /// <summary>Lossy, 8-bit, no alpha.</summary>
    Jpeg,

    /// <summary>Lossy, 8-bit, keeps alpha.</summary>
    WebP,

    /// <summary>Lossless (Deflate or LZW); keeps alpha and 16-bit depth.</summary>
    Tiff,
}

/// <summary>Encodes rendered images and names their files.</summary>
public static class ImageEncoder
{
    /// <summary>The usual file extension, with its dot.</summary>
    public static string Extension(OutputFormat format) => format switch
    {
        OutputFormat.Jpeg => ".jpg",
        OutputFormat.WebP => ".webp",
        OutputFormat.Tiff => ".tif",
        _ => ".png",
    };

    /// <summary>The MIME type.</summary>
    public static string ContentType(OutputFormat format) => format switch
    {
        OutputFormat.Jpeg => "image/jpeg",
        OutputFormat.WebP => "image/webp",
        OutputFormat.Tiff => "image/tiff",
        _ => "image/png",
    };

    /// <summary>Parses <c>png</c>, <c>jpg</c>/<c>jpeg</c>, <c>webp</c> or <c>tif</c>/<c>tiff</c> (any case); false otherwise.</summary>
    public static bool TryParseFormat(string? text, out OutputFormat format)
    {
        switch (text?.Trim().TrimStart('.').ToLowerInvariant())
        {
            case "png": format = OutputFormat.Png; return true;
            case "jpg" or "jpeg": format = OutputFormat.Jpeg; return true;
            case "webp": format = OutputFormat.WebP; return true;
            case "tif" or "tiff": format = OutputFormat.Tiff; return true;
            default: format = OutputFormat.Png; return false;
        }
    }

    // Our own PNG writer: parallel strips on zlib-ng, about half the CPU of OpenCV's libpng at level 1. 16-bit stays
    // with OpenCV, whose files are smaller there (docs/performance-notes.md).
    private static bool UsesOwnPng(Mat image, OutputFormat format) => format == OutputFormat.Png && image.Depth() == MatType.CV_8U;

    /// <summary>
    /// Encodes <paramref name="image"/> and writes it to <paramref name="path"/> atomically. An 8-bit PNG is written
    /// strip by strip, without joining the whole file in memory first.
    /// </summary>
    internal static async Task SaveAsync(Mat image, string path, OutputFormat format, EncoderOptions options, OutputMetadata? metadata, CancellationToken ct)
    {
        options.Validate();
        if (UsesOwnPng(image, format) && image.IsContinuous())
        {
            using var png = PngEncoder.Compress(image, options.PngCompression);
            byte[] chunks = metadata is null ? [] : MetadataWriter.PngChunks(metadata);
            await IO.AtomicFile.WriteAsync(path, (stream, _) =>
            {
                png.WriteTo(stream, chunks);
                return Task.CompletedTask;
            }, ct).ConfigureAwait(false);
            return;
        }
        await IO.AtomicFile.WriteAllBytesAsync(path, Encode(image, format, options, metadata), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Encodes a grey, BGR or BGRA image of 8 or 16 bits, with no metadata. JPEG drops alpha; JPEG and WebP are 8-bit,
    /// so 16-bit input is scaled down for them; PNG and TIFF keep 16 bits.
    /// </summary>
    public static byte[] Encode(Mat image, OutputFormat format, EncoderOptions? options = null) => Encode(image, format, options, metadata: null);

    /// <summary>As <see cref="Encode(Mat, OutputFormat, EncoderOptions?)"/>, with <paramref name="metadata"/> written into the file.</summary>
    internal static byte[] Encode(Mat image, OutputFormat format, EncoderOptions? options, OutputMetadata? metadata)
    {
        byte[] encoded = EncodePixels(image, format, options ?? EncoderOptions.Default);
        return metadata is null
            ? encoded
            : MetadataWriter.Embed(encoded, format, metadata, hasAlpha: format != OutputFormat.Jpeg && image.Channels() == 4, image.Cols, image.Rows);
    }

    private static byte[] EncodePixels(Mat image, OutputFormat format, EncoderOptions options)
    {
        options.Validate();
        Mat? eightBit = null, noAlpha = null;
        try
        {
            var source = image;
            if (format is OutputFormat.Jpeg or OutputFormat.WebP && source.Depth() == MatType.CV_16U)
            {
                eightBit = new Mat();
                source.ConvertTo(eightBit, MatType.CV_8U, 1.0 / 257);
                source = eightBit;
            }
            if (format == OutputFormat.Jpeg && source.Channels() == 4)
            {
                noAlpha = new Mat();
                Cv2.CvtColor(source, noAlpha, ColorConversionCodes.BGRA2BGR);
                source = noAlpha;
            }
            if (UsesOwnPng(source, format))
            {
                if (source.IsContinuous())
                    return PngEncoder.Encode(source, options.PngCompression);
                using var continuous = source.Clone();
                return PngEncoder.Encode(continuous, options.PngCompression);
            }
            int[] parameters = format switch
            {
                OutputFormat.Jpeg => [(int)ImwriteFlags.JpegQuality, options.JpegQuality],
                OutputFormat.WebP => [(int)ImwriteFlags.WebPQuality, options.WebPQuality],
                // libtiff's codes: 8 is Adobe Deflate, 5 LZW; OpenCV adds the horizontal predictor for both.
                OutputFormat.Tiff => [(int)ImwriteFlags.TiffCompression, options.TiffCompression == TiffCompression.Lzw ? 5 : 8],
                _ => [(int)ImwriteFlags.PngCompression, options.PngCompression],
            };
            if (!Cv2.ImEncode(Extension(format), source, out byte[] bytes, parameters))
                throw new InvalidOperationException($"OpenCV could not encode a {source.Cols}×{source.Rows} image as {format}.");
            return bytes;
        }
        finally
        {
            eightBit?.Dispose();
            noAlpha?.Dispose();
        }
    }
}
