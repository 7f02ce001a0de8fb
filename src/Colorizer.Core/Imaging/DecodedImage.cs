using Colorizer.Core.Imaging.Metadata;
using Colorizer.Core.Restoration;
using OpenCvSharp;

namespace Colorizer.Core.Imaging;

/// <summary>
/// A decoded input image, upright (EXIF orientation applied), split into its colour or grey channels and an optional
/// alpha channel. 8-bit and 16-bit depths are kept as they are. Owns its native buffers.
/// </summary>
public sealed class DecodedImage : IDisposable
{
    internal DecodedImage(Mat pixels, Mat? alpha, ImageFormat format, bool hasColor)
    {
        Pixels = pixels;
        Alpha = alpha;
        Format = format;
        HasColor = hasColor;
    }

    /// <summary>The grey (1 channel) or BGR (3 channels) pixels, 8-bit or 16-bit unsigned.</summary>
    public Mat Pixels { get; }

    /// <summary>The alpha channel, same depth as <see cref="Pixels"/>, or null.</summary>
    public Mat? Alpha { get; }

    /// <summary>The format the image was decoded from.</summary>
    public ImageFormat Format { get; }

    /// <summary>What the file carried besides its pixels (EXIF, XMP, IPTC, ICC profile, resolution); none for pixels handed over.</summary>
    public ImageMetadata Metadata { get; internal set; } = ImageMetadata.None;

    /// <summary>The repairs made to the lightness (<see cref="PhotoRestorer"/>), or null for none.</summary>
    public RestorationOptions? Restoration { get; internal set; }

    /// <summary>True when the input already had colour; Colorizer then works from its luminance only.</summary>
    public bool HasColor { get; }

    /// <summary>Width in pixels, after orientation.</summary>
    public int Width => Pixels.Cols;

    /// <summary>Height in pixels, after orientation.</summary>
    public int Height => Pixels.Rows;

    /// <summary>True for 16-bit input.</summary>
    public bool IsHighBitDepth => Pixels.Depth() == MatType.CV_16U;

    /// <summary>The scale from the stored integers to [0, 1].</summary>
    internal double UnitScale => IsHighBitDepth ? 1.0 / 65535 : 1.0 / 255;

    /// <summary>Wraps pixels the caller hands over (grey or BGR, 8U or 16U; BGRA is split).</summary>
    public static DecodedImage FromMat(Mat image, ImageFormat format = ImageFormat.Png) =>
        ImageDecoder.FromDecoded(image, format, orientation: 1);

    /// <summary>A deep copy, with the same metadata and repairs; the caller owns it.</summary>
    public DecodedImage Clone() => new(Pixels.Clone(), Alpha?.Clone(), Format, HasColor)
    {
        Metadata = Metadata,
        Restoration = Restoration,
    };

    /// <summary>
    /// A copy shrunk (area interpolation) so its longer side is at most <paramref name="maxSide"/>, or a plain copy when
    /// it is that small already; the caller owns it.
    /// </summary>
    public DecodedImage Shrunk(int maxSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(Width, Height));
        if (scale >= 1.0)
            return Clone();
        var size = new Size(Math.Max(1, (int)Math.Round(Width * scale)), Math.Max(1, (int)Math.Round(Height * scale)));
        var pixels = new Mat();
        Mat? alpha = null;
        try
        {
            Cv2.Resize(Pixels, pixels, size, 0, 0, InterpolationFlags.Area);
            if (Alpha is not null)
            {
                alpha = new Mat();
                Cv2.Resize(Alpha, alpha, size, 0, 0, InterpolationFlags.Area);
            }
            return new DecodedImage(pixels, alpha, Format, HasColor) { Metadata = Metadata, Restoration = Restoration };
        }
        catch
        {
            pixels.Dispose();
            alpha?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The pixels as one Mat to show: a copy of the grey or BGR pixels, or BGRA when there is alpha. The caller owns it.
    /// </summary>
    public Mat ToDisplayMat()
    {
        var output = new Mat();
        if (Alpha is null)
        {
            Pixels.CopyTo(output);
            return output;
        }
        using var bgr = new Mat();
        if (Pixels.Channels() == 1)
            Cv2.CvtColor(Pixels, bgr, ColorConversionCodes.GRAY2BGR);
        else
            Pixels.CopyTo(bgr);
        var channels = Cv2.Split(bgr);
        try
        {
            Cv2.Merge([.. channels, Alpha], output);
        }
        finally
        {
            foreach (var channel in channels)
                channel.Dispose();
        }
        return output;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Pixels.Dispose();
        Alpha?.Dispose();
    }
}
