using Colorizer.Core.Imaging.Metadata;
using OpenCvSharp;

namespace Colorizer.Core.Imaging;

/// <summary>Limits checked from the header before any pixel is decoded.</summary>
public sealed record DecodeLimits
{
    /// <summary>The largest accepted pixel count; 50 megapixels by default.</summary>
    public long MaxPixels { get; init; } = 50_000_000;

    /// <summary>The longest accepted side; 16,384 pixels by default.</summary>
    public int MaxSide { get; init; } = 16_384;

    /// <summary>Bounds on the file's structure (a JPEG's scans, a TIFF's tags), checked after the size and before decoding.</summary>
    public StructureLimits Structure { get; init; } = StructureLimits.Default;

    /// <summary>The defaults.</summary>
    public static DecodeLimits Default { get; } = new();
}

/// <summary>
/// Turns encoded bytes into a <see cref="DecodedImage"/>: identifies the format by content, checks the size from the
/// header, decodes with OpenCV keeping depth and alpha, and applies EXIF orientation (which OpenCV skips when asked
/// to keep alpha and depth).
/// </summary>
public static class ImageDecoder
{
    /// <summary>
    /// Decodes <paramref name="data"/>. Throws <see cref="UnsupportedImageFormatException"/>, <see cref="InvalidImageException"/>,
    /// <see cref="ImageTooLargeException"/> or <see cref="ImageTooComplexException"/> (<see cref="ImageStructure"/>); the
    /// message says why.
    /// </summary>
    public static DecodedImage Decode(ReadOnlySpan<byte> data, DecodeLimits? limits = null)
    {
        limits ??= DecodeLimits.Default;
        var format = ImageFormatDetector.Identify(data);
        string name = FormatName(format);
        if (!ImageHeader.TryReadDeclaredSize(data, format, out long declaredWidth, out long declaredHeight))
            throw new InvalidImageException($"The {name} file is truncated or its header is corrupt.");
        if (declaredWidth == 0 || declaredHeight == 0)
            throw new InvalidImageException($"The {name} file declares an empty image ({declaredWidth}×{declaredHeight} pixels).");
        if (declaredWidth < 0 || declaredHeight < 0)
            throw new InvalidImageException($"The {name} file declares an impossible size ({declaredWidth}×{declaredHeight} pixels).");
        if (!ImageHeader.TryReadSize(data, format, out int width, out int height))
            throw new ImageTooLargeException(
                $"The image is {declaredWidth}×{declaredHeight} pixels; the longest side allowed is {limits.MaxSide:N0} pixels.");
        CheckSize(width, height, limits);
        // OpenCV's decoders cannot be interrupted: a structure that would keep one busy for minutes is refused first.
        ImageStructure.Check(data, format, limits.Structure);

        Mat decoded;
        try
        {
            decoded = Cv2.ImDecode(data, ImreadModes.Unchanged);
        }
        catch (OpenCVException ex)
        {
            throw new InvalidImageException($"The {name} file could not be decoded: {ex.Message}", ex);
        }
        if (decoded.Empty())
        {
            decoded.Dispose();
            throw new InvalidImageException($"The {name} file could not be decoded: it is truncated or corrupt.");
        }
        // IMREAD_UNCHANGED keeps alpha and 16 bits but skips EXIF orientation for JPEG, PNG and WebP, so it is applied
        // here; for TIFF OpenCV always applies the Orientation tag itself, and doing it again would turn the image twice.
        int orientation = format == ImageFormat.Tiff ? 1 : ExifOrientation.Read(data, format);
        var image = FromDecoded(decoded, format, orientation);
        image.Metadata = MetadataReader.Read(data, format);
        return image;
    }

    /// <summary>Refuses sizes over the limits with a message naming the limit.</summary>
    public static void CheckSize(int width, int height, DecodeLimits limits)
    {
        if (width > limits.MaxSide || height > limits.MaxSide)
            throw new ImageTooLargeException(
                $"The image is {width}×{height} pixels; the longest side allowed is {limits.MaxSide:N0} pixels.");
        long pixels = (long)width * height;
        if (pixels > limits.MaxPixels)
            throw new ImageTooLargeException(
                $"The image is {width}×{height} = {pixels / 1e6:0.###} megapixels; the limit is {limits.MaxPixels / 1e6:0.###} megapixels ({limits.MaxPixels:N0} pixels).");
    }

    internal static string FormatName(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "JPEG",
        ImageFormat.Png => "PNG",
        ImageFormat.WebP => "WebP",
        ImageFormat.Bmp => "BMP",
        _ => "TIFF",
    };

    /// <summary>Normalizes a freshly decoded Mat (takes ownership) into grey/BGR + alpha, 8U or 16U, upright.</summary>
    internal static DecodedImage FromDecoded(Mat decoded, ImageFormat format, int orientation)
    {
        Mat? pixels = null, alpha = null;
        try
        {
            var normalized = NormalizeDepth(decoded);
            if (!ReferenceEquals(normalized, decoded))
                decoded.Dispose();
            decoded = normalized;

            int channels = decoded.Channels();
            switch (channels)
            {
                case 1:
                case 3:
                    pixels = decoded;
                    break;
                case 2:
                case 4:
                    pixels = new Mat();
                    alpha = new Mat();
                    if (channels == 2)
                    {
                        Cv2.ExtractChannel(decoded, pixels, 0);
                    }
                    else
                    {
                        Cv2.CvtColor(decoded, pixels, ColorConversionCodes.BGRA2BGR);
                    }
                    Cv2.ExtractChannel(decoded, alpha, channels - 1);
                    decoded.Dispose();
                    break;
                default:
                    decoded.Dispose();
                    throw new UnsupportedImageFormatException($"Images with {channels} channels are not supported.");
            }

            pixels = Orient(pixels, orientation);
            if (alpha is not null)
                alpha = Orient(alpha, orientation);
            bool hasColor = pixels.Channels() == 3 && ColorDetector.HasColor(pixels);
            return new DecodedImage(pixels, alpha, format, hasColor);
        }
        catch
        {
            pixels?.Dispose();
            alpha?.Dispose();
            throw;
        }
    }

    private static Mat Orient(Mat image, int orientation)
    {
        var oriented = ExifOrientation.Apply(image, orientation);
        if (!ReferenceEquals(oriented, image))
            image.Dispose();
        return oriented;
    }

    // Only 8- and 16-bit unsigned pixels go further; TIFF can carry floats or signed integers.
    private static Mat NormalizeDepth(Mat decoded)
    {
        int depth = decoded.Depth();
        if (depth == MatType.CV_8U || depth == MatType.CV_16U)
            return decoded;
        var converted = new Mat();
        double scale = depth switch
        {
            MatType.CV_32F or MatType.CV_64F or MatType.CV_16F => 65535.0,
            MatType.CV_8S => 2.0 * 257,
            MatType.CV_16S => 2.0,
            _ => 65535.0 / int.MaxValue,
        };
        decoded.ConvertTo(converted, MatType.CV_16U, scale);
        return converted;
    }
}

/// <summary>Decides whether a BGR image is really in colour, on a small copy so a large input costs little.</summary>
internal static class ColorDetector
{
    // A grey photo saved as RGB JPEG has chroma noise of a few levels; a colour photo has far more.
    private const double ChromaThreshold = 12.0 / 255;
    private const double ColoredFraction = 0.005;

    public static bool HasColor(Mat bgr)
    {
        double scale = Math.Min(1.0, 512.0 / Math.Max(bgr.Cols, bgr.Rows));
        using var small = new Mat();
        if (scale < 1)
            Cv2.Resize(bgr, small, new Size(Math.Max(1, (int)(bgr.Cols * scale)), Math.Max(1, (int)(bgr.Rows * scale))), 0, 0, InterpolationFlags.Area);
        else
            bgr.CopyTo(small);
        using var unit = new Mat();
        small.ConvertTo(unit, MatType.CV_32FC3, bgr.Depth() == MatType.CV_16U ? 1.0 / 65535 : 1.0 / 255);
        using var max = new Mat();
        using var min = new Mat();
        var channels = Cv2.Split(unit);
        try
        {
            Cv2.Max(channels[0], channels[1], max);
            Cv2.Max(max, channels[2], max);
            Cv2.Min(channels[0], channels[1], min);
            Cv2.Min(min, channels[2], min);
        }
        finally
        {
            foreach (var channel in channels)
                channel.Dispose();
        }
        using var spread = new Mat();
        Cv2.Subtract(max, min, spread);
        using var colored = new Mat();
        Cv2.Threshold(spread, colored, ChromaThreshold, 1, ThresholdTypes.Binary);
        return Cv2.CountNonZero(colored) > ColoredFraction * spread.Total();
    }
}
