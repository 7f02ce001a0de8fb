using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Guidance;

/// <summary>
/// Applies <see cref="ColorGuidance"/> to a result's chroma on a working grid whose longer side is at most
/// <see cref="WorkingSide"/>: finer than the network's 56×56 cells, so hints follow edges, yet small enough that an
/// update costs a fraction of a second. The preview and the full-resolution download both upsample the same grid, so
/// they agree. Keeps the grid's lightness and the last hint field; owns native buffers.
/// </summary>
internal sealed class GuidedChroma : IDisposable
{
    /// <summary>The working grid's longer side.</summary>
    public const int WorkingSide = 1024;

    private readonly Mat _lightness;
    private readonly Mat _guide;
    private readonly double _scale;
    private readonly Lock _lock = new();
    private IReadOnlyList<ColorHint>? _fieldHints;
    private Mat? _field;

    private GuidedChroma(Mat lightness, Mat guide, double scale)
    {
        _lightness = lightness;
        _guide = guide;
        _scale = scale;
    }

    /// <summary>The working grid's size.</summary>
    public Size Size => _lightness.Size();

    /// <summary>Prepares the working grid of <paramref name="source"/>.</summary>
    public static GuidedChroma Create(DecodedImage source)
    {
        double scale = Math.Min(1.0, (double)WorkingSide / Math.Max(source.Width, source.Height));
        var lightness = new Mat();
        var guide = new Mat();
        try
        {
            using (var lab = ColorTransfer.LabAt(source, WorkingSide))
                Cv2.ExtractChannel(lab, lightness, 0);
            // The smoother wants an 8-bit guide: L* 0–100 spread over 0–255.
            lightness.ConvertTo(guide, MatType.CV_8UC1, 255.0 / 100);
            return new GuidedChroma(lightness, guide, scale);
        }
        catch
        {
            lightness.Dispose();
            guide.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The guided chroma: <paramref name="abLow"/> (the network's grid, CV_32FC2) upsampled to the working grid, moved
    /// toward the reference palette, then blended with the hints. Returns a CV_32FC2 Mat the caller owns.
    /// </summary>
    public Mat Apply(Mat abLow, ColorGuidance guidance)
    {
        var ab = new Mat();
        try
        {
            Cv2.Resize(abLow, ab, Size, 0, 0, InterpolationFlags.Linear);
            if (guidance.Reference is { } reference)
                ColorTransfer.Apply(ab, _lightness, reference, guidance.TransferMode);
            lock (_lock)
            {
                if (guidance.Hints.Count > 0)
                {
                    HintPropagation.Blend(ab, Field(guidance.Hints));
                }
                else if (_field is not null)
                {
                    // The hints were cleared: the field's 12 bytes a grid pixel are not kept for nothing.
                    _field.Dispose();
                    (_field, _fieldHints) = (null, null);
                }
            }
            return ab;
        }
        catch
        {
            ab.Dispose();
            throw;
        }
    }

    // The field depends on the hints only (not on temperature or saturation), so slider moves reuse it.
    private Mat Field(IReadOnlyList<ColorHint> hints)
    {
        if (_field is not null && _fieldHints is not null && _fieldHints.SequenceEqual(hints))
            return _field;
        var field = HintPropagation.Propagate(_guide, hints, _scale);
        _field?.Dispose();
        _field = field;
        _fieldHints = [.. hints];
        return field;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _lightness.Dispose();
        _guide.Dispose();
        lock (_lock)
            _field?.Dispose();
    }
}
