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

    /// <inheritdoc />
    public void Dispose()
    {
        Pixels.Dispose();
        Alpha?.Dispose();
    }
}
