using Colorizer.Core.Imaging;
using Colorizer.Core.IO;
using Colorizer.Core.Models;
using OpenCvSharp;

namespace Colorizer.Core.Colorization;

/// <summary>
/// A colorization: the decoded input and the network's prediction for it. Rendering with another temperature or
/// saturation re-decodes the kept prediction in milliseconds instead of running the network again.
/// Owns native buffers: dispose it.
/// </summary>
public sealed class ColorizedImage : IDisposable
{
    private readonly BinCentres _bins;
    private readonly Lock _previewLock = new();
    private DecodedImage? _preview;
    private int _previewSide;

    internal ColorizedImage(DecodedImage source, ChromaPrediction prediction, BinCentres bins, ColorizationOptions options)
    {
        Source = source;
        Prediction = prediction;
        _bins = bins;
        Options = options;
    }

    /// <summary>The input, upright, at full resolution.</summary>
    public DecodedImage Source { get; }

    /// <summary>The network's per-cell logits.</summary>
    public ChromaPrediction Prediction { get; private set; }

    /// <summary>The options the image was colorized with; <see cref="Render()"/> uses their temperature and saturation.</summary>
    public ColorizationOptions Options { get; private set; }

    internal void Replace(ChromaPrediction prediction, ColorizationOptions options)
    {
        Prediction = prediction;
        Options = options;
    }

    /// <summary>The same image with other temperature and saturation (no network pass); the render size stays.</summary>
    public void Restyle(double temperature, double saturation)
    {
        var options = Options with { Temperature = temperature, Saturation = saturation };
        options.Validate();
        Options = options;
    }

    /// <summary>True when the input already had colour (it was colorized from its luminance).</summary>
    public bool InputHadColor => Source.HasColor;

    /// <summary>Width of the result.</summary>
    public int Width => Source.Width;

    /// <summary>Height of the result.</summary>
    public int Height => Source.Height;

    /// <summary>The full-resolution result with the options' temperature and saturation. The caller owns the Mat.</summary>
    public Mat Render() => Render(Options.Temperature, Options.Saturation);

    /// <summary>
    /// The full-resolution result (BGR or BGRA, the input's depth) with the given temperature and saturation, without
    /// running the network. The caller owns the Mat.
    /// </summary>
    public Mat Render(double temperature, double saturation)
    {
        using var ab = Prediction.DecodeAb(_bins, temperature, saturation);
        return LabPipeline.Compose(Source, ab);
    }

    /// <summary>
    /// A result whose longer side is at most <paramref name="maxSide"/> (never enlarged), for previews: the input is
    /// shrunk first, so this costs milliseconds even for a large image. The caller owns the Mat.
    /// </summary>
    public Mat RenderPreview(int maxSide, double temperature, double saturation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(Width, Height));
        if (scale >= 1.0)
            return Render(temperature, saturation);
        var small = PreviewSource(maxSide, scale);
        using var ab = Prediction.DecodeAb(_bins, temperature, saturation);
        return LabPipeline.Compose(small, ab);
    }

    // The shrunk input is kept for the last preview size asked for: a slider moving over a preview then costs one
    // decode of the logits and one small composition, not a resize of the full image each time.
    private DecodedImage PreviewSource(int maxSide, double scale)
    {
        lock (_previewLock)
        {
            if (_preview is { } cached && _previewSide == maxSide)
                return cached;
            var size = new Size(Math.Max(1, (int)Math.Round(Width * scale)), Math.Max(1, (int)Math.Round(Height * scale)));
            var pixels = new Mat();
            Mat? alpha = null;
            Cv2.Resize(Source.Pixels, pixels, size, 0, 0, InterpolationFlags.Area);
            if (Source.Alpha is not null)
            {
                alpha = new Mat();
                Cv2.Resize(Source.Alpha, alpha, size, 0, 0, InterpolationFlags.Area);
            }
            _preview?.Dispose();
            _preview = new DecodedImage(pixels, alpha, Source.Format, Source.HasColor);
            _previewSide = maxSide;
            return _preview;
        }
    }

    /// <summary>The input shrunk so its longer side is at most <paramref name="maxSide"/>, for showing the original beside a preview. The caller owns the Mat.</summary>
    public Mat SourcePreview(int maxSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(Width, Height));
        var source = scale >= 1.0 ? Source : PreviewSource(maxSide, scale);
        var output = new Mat();
        if (source.Alpha is null)
        {
            source.Pixels.CopyTo(output);
            return output;
        }
        using var bgr = new Mat();
        if (source.Pixels.Channels() == 1)
            Cv2.CvtColor(source.Pixels, bgr, ColorConversionCodes.GRAY2BGR);
        else
            source.Pixels.CopyTo(bgr);
        var channels = Cv2.Split(bgr);
        try
        {
            Cv2.Merge([.. channels, source.Alpha], output);
        }
        finally
        {
            foreach (var channel in channels)
                channel.Dispose();
        }
        return output;
    }

    /// <summary>The full-resolution result encoded as <paramref name="format"/>.</summary>
    public byte[] Encode(OutputFormat format, EncoderOptions? encoder = null) =>
        Encode(format, Options.Temperature, Options.Saturation, encoder);

    /// <summary>The full-resolution result with the given temperature and saturation, encoded.</summary>
    public byte[] Encode(OutputFormat format, double temperature, double saturation, EncoderOptions? encoder = null)
    {
        using var rendered = Render(temperature, saturation);
        return ImageEncoder.Encode(rendered, format, encoder);
    }

    /// <summary>Encodes the result and writes it to <paramref name="path"/> atomically (never a half-written file).</summary>
    public async Task SaveAsync(string path, OutputFormat format, EncoderOptions? encoder = null, CancellationToken ct = default)
    {
        using var rendered = Render();
        ct.ThrowIfCancellationRequested();
        await ImageEncoder.SaveAsync(rendered, path, format, encoder ?? EncoderOptions.Default, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Source.Dispose();
        lock (_previewLock)
            _preview?.Dispose();
    }
}
