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
}

/// <summary>Encodes rendered images and names their files.</summary>
public static class ImageEncoder
{
    /// <summary>The usual file extension, with its dot.</summary>
    public static string Extension(OutputFormat format) => format switch
    {
        OutputFormat.Jpeg => ".jpg",
        OutputFormat.WebP => ".webp",
        _ => ".png",
    };

    /// <summary>The MIME type.</summary>
    public static string ContentType(OutputFormat format) => format switch
    {
        OutputFormat.Jpeg => "image/jpeg",
        OutputFormat.WebP => "image/webp",
        _ => "image/png",
    };

    /// <summary>Parses <c>png</c>, <c>jpg</c>/<c>jpeg</c> or <c>webp</c> (any case); false otherwise.</summary>
    public static bool TryParseFormat(string? text, out OutputFormat format)
    {
        switch (text?.Trim().TrimStart('.').ToLowerInvariant())
        {
            case "png": format = OutputFormat.Png; return true;
            case "jpg" or "jpeg": format = OutputFormat.Jpeg; return true;
            case "webp": format = OutputFormat.WebP; return true;
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
    internal static async Task SaveAsync(Mat image, string path, OutputFormat format, EncoderOptions options, CancellationToken ct)
    {
        options.Validate();
        if (UsesOwnPng(image, format) && image.IsContinuous())
        {
            using var png = PngEncoder.Compress(image, options.PngCompression);
            await IO.AtomicFile.WriteAsync(path, (stream, _) =>
            {
                png.WriteTo(stream);
                return Task.CompletedTask;
            }, ct).ConfigureAwait(false);
            return;
        }
        await IO.AtomicFile.WriteAllBytesAsync(path, Encode(image, format, options), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Encodes a grey, BGR or BGRA image of 8 or 16 bits. JPEG drops alpha; JPEG and WebP are 8-bit, so 16-bit input
    /// is scaled down for them.
    /// </summary>
    public static byte[] Encode(Mat image, OutputFormat format, EncoderOptions? options = null)
    {
        options ??= EncoderOptions.Default;
        options.Validate();
        Mat? eightBit = null, noAlpha = null;
        try
        {
            var source = image;
            if (format != OutputFormat.Png && source.Depth() == MatType.CV_16U)
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
