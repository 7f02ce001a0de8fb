using Colorizer.Core.Guidance;
using System.Globalization;
using Colorizer.Core.Imaging;
using Colorizer.Core.Imaging.Metadata;
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
    private readonly Lock _guidedLock = new();
    private GuidedChroma? _guided;

    internal ColorizedImage(DecodedImage source, ChromaPrediction prediction, BinCentres bins, ColorizationOptions options, string modelName)
    {
        ModelName = modelName;
        Source = source;
        Prediction = prediction;
        _bins = bins;
        Options = options;
    }

    /// <summary>
    /// A result put together again from its parts, kept apart (a saved gallery's photo, its kept prediction and the
    /// options it was shown with), without a network pass. Takes ownership of <paramref name="source"/>; the caller
    /// owns the result.
    /// </summary>
    public static ColorizedImage FromKept(DecodedImage source, ChromaPrediction prediction, BinCentres bins, ColorizationOptions options, string modelName)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(bins);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new ColorizedImage(source, prediction, bins, options, modelName);
    }

    /// <summary>The model that made the prediction, as the result's metadata names it.</summary>
    public string ModelName { get; }

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

    /// <summary>The hints and reference palette <see cref="Render()"/> and <see cref="SaveAsync"/> apply; none by default.</summary>
    public ColorGuidance Guidance { get; private set; } = ColorGuidance.None;

    /// <summary>Sets the guidance used by <see cref="Render()"/>, checking the hints against the image.</summary>
    public void Guide(ColorGuidance guidance)
    {
        guidance.Validate(Width, Height);
        Guidance = guidance;
    }

    /// <summary>The same image with other temperature and saturation (no network pass); the render size stays.</summary>
    public void Restyle(double temperature, double saturation)
    {
        var options = Options with { Temperature = temperature, Saturation = saturation };
        options.Validate();
        Options = options;
    }

    /// <summary>
    /// True when the prediction is a colour distribution (the 2016 network): only then do the temperature (vividness)
    /// and <see cref="LikelyColors"/> mean anything.
    /// </summary>
    public bool HasDistribution => Prediction.HasDistribution;

    /// <summary>True when the input already had colour (it was colorized from its luminance).</summary>
    public bool InputHadColor => Source.HasColor;

    /// <summary>Width of the result.</summary>
    public int Width => Source.Width;

    /// <summary>Height of the result.</summary>
    public int Height => Source.Height;

    /// <summary>The full-resolution result with the options' temperature and saturation. The caller owns the Mat.</summary>
    public Mat Render() => Render(Options.Temperature, Options.Saturation, Guidance);

    /// <summary>
    /// The full-resolution result (BGR or BGRA, the input's depth) with the given temperature and saturation, without
    /// running the network, with <paramref name="guidance"/> (hints, reference palette) applied if given. The caller
    /// owns the Mat.
    /// </summary>
    public Mat Render(double temperature, double saturation, ColorGuidance? guidance = null)
    {
        using var ab = Chroma(temperature, saturation, guidance);
        return LabPipeline.Compose(Source, ab);
    }

    // The chroma grid Compose upsamples: the network's own, or the guided working grid.
    private Mat Chroma(double temperature, double saturation, ColorGuidance? guidance) => Chroma(Prediction, _bins, temperature, saturation, guidance);

    private Mat Chroma(ChromaPrediction prediction, BinCentres bins, double temperature, double saturation, ColorGuidance? guidance)
    {
        var ab = prediction.DecodeAb(bins, temperature, saturation);
        if (guidance is null || guidance.IsEmpty)
            return ab;
        using (ab)
        {
            guidance.Validate(Width, Height);
            return GuidedGrid().Apply(ab, guidance);
        }
    }

    private GuidedChroma GuidedGrid()
    {
        lock (_guidedLock)
            return _guided ??= GuidedChroma.Create(Source);
    }

    /// <summary>
    /// The colours the network found likely at pixel (<paramref name="x"/>, <paramref name="y"/>), most likely first:
    /// the <paramref name="count"/> most probable of its 313 bins in the cell there (at temperature 1, the network's own
    /// distribution), with the pixel's lightness, merging bins too close to tell apart. For a hint palette. Empty for a model without a distribution
    /// (<see cref="HasDistribution"/>).
    /// </summary>
    public IReadOnlyList<LikelyColor> LikelyColors(double x, double y, int count = 6)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!double.IsFinite(x) || !double.IsFinite(y) || x < 0 || y < 0 || x >= Width || y >= Height)
            throw new InvalidHintsException($"({x:0.##}, {y:0.##}) is outside the {Width}×{Height} image.");
        if (!HasDistribution)
            return [];
        int row = Math.Min(Prediction.Rows - 1, (int)(y / Height * Prediction.Rows));
        int column = Math.Min(Prediction.Columns - 1, (int)(x / Width * Prediction.Columns));
        double lightness = LightnessAt(x, y);
        return Prediction.LikelyBins(row, column, _bins, count)
            .Select(b => new LikelyColor(new LabColor(Math.Round(lightness, 2), b.A, b.B), b.Probability))
            .ToList();
    }

    // One pixel's L*, converted on its own: the palette must not wait for the whole working grid to be built.
    private double LightnessAt(double x, double y)
    {
        using var pixel = new Mat(Source.Pixels, new Rect(Math.Min((int)x, Width - 1), Math.Min((int)y, Height - 1), 1, 1));
        using var lab = LabPipeline.ToLab(pixel, Source.UnitScale);
        return lab.At<Vec3f>(0, 0).Item0;
    }

    /// <summary>
    /// A result whose longer side is at most <paramref name="maxSide"/> (never enlarged), for previews: the input is
    /// shrunk first, so this costs milliseconds even for a large image. The caller owns the Mat.
    /// </summary>
    public Mat RenderPreview(int maxSide, double temperature, double saturation, ColorGuidance? guidance = null) =>
        RenderPreview(Prediction, _bins, maxSide, temperature, saturation, guidance);

    /// <summary>
    /// As <see cref="RenderPreview(int, double, double, ColorGuidance?)"/>, with another model's prediction for the same
    /// source (<see cref="ColorizationEngine.PredictAsync"/> on <see cref="Source"/>) decoded with that model's
    /// <paramref name="bins"/>: two models compared on one photo share its pixels and its guidance. The caller owns the Mat.
    /// </summary>
    public Mat RenderPreview(ChromaPrediction prediction, BinCentres bins, int maxSide, double temperature, double saturation, ColorGuidance? guidance = null)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(bins);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(Width, Height));
        using var ab = Chroma(prediction, bins, temperature, saturation, guidance);
        if (scale >= 1.0)
            return LabPipeline.Compose(Source, ab);
        return LabPipeline.Compose(PreviewSource(maxSide), ab);
    }

    // The shrunk input is kept for the last preview size asked for: a slider moving over a preview then costs one
    // decode of the logits and one small composition, not a resize of the full image each time.
    private DecodedImage PreviewSource(int maxSide)
    {
        lock (_previewLock)
        {
            if (_preview is { } cached && _previewSide == maxSide)
                return cached;
            var shrunk = Source.Shrunk(maxSide);
            _preview?.Dispose();
            _preview = shrunk;
            _previewSide = maxSide;
            return _preview;
        }
    }

    /// <summary>The input shrunk so its longer side is at most <paramref name="maxSide"/>, for showing the original beside a preview. The caller owns the Mat.</summary>
    public Mat SourcePreview(int maxSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(Width, Height));
        var source = scale >= 1.0 ? Source : PreviewSource(maxSide);
        return source.ToDisplayMat();
    }

    /// <summary>The full-resolution result encoded as <paramref name="format"/>.</summary>
    public byte[] Encode(OutputFormat format, EncoderOptions? encoder = null) =>
        Encode(format, Options.Temperature, Options.Saturation, encoder, Guidance);

    /// <summary>
    /// The full-resolution result with the given temperature, saturation and guidance, encoded, with the input's
    /// metadata as <see cref="EncoderOptions.Metadata"/> says and the colorized mark.
    /// </summary>
    public byte[] Encode(OutputFormat format, double temperature, double saturation, EncoderOptions? encoder = null, ColorGuidance? guidance = null)
    {
        encoder ??= EncoderOptions.Default;
        using var rendered = Render(temperature, saturation, guidance);
        var options = Options with { Temperature = temperature, Saturation = saturation };
        return ImageEncoder.Encode(rendered, format, encoder, OutputMetadataFor(encoder, options, guidance));
    }

    /// <summary>
    /// Encodes the result (with metadata, as <see cref="Encode(OutputFormat, EncoderOptions?)"/>) and writes it to
    /// <paramref name="path"/> atomically (never a half-written file).
    /// </summary>
    public async Task SaveAsync(string path, OutputFormat format, EncoderOptions? encoder = null, CancellationToken ct = default)
    {
        encoder ??= EncoderOptions.Default;
        using var rendered = Render();
        ct.ThrowIfCancellationRequested();
        var metadata = OutputMetadataFor(encoder, Options, Guidance);
        await ImageEncoder.SaveAsync(rendered, path, format, encoder, metadata, ct).ConfigureAwait(false);
    }

    /// <summary>The mark a result made with <paramref name="options"/> and <paramref name="guidance"/> carries.</summary>
    public ColorizationMark Mark(ColorizationOptions options, ColorGuidance? guidance)
    {
        var parts = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"temperature={options.Temperature:0.###}"),
            string.Create(CultureInfo.InvariantCulture, $"saturation={options.Saturation:0.###}"),
            string.Create(CultureInfo.InvariantCulture, $"renderSize={options.RenderSize}"),
        };
        if (guidance?.Reference is not null)
            parts.Add($"transfer={(guidance.TransferMode == ReferenceTransferMode.Global ? "global" : "bands")}");
        var restoration = Source.Restoration;
        if (restoration is { IsEmpty: false })
        {
            parts.Add($"restore={Restoration.RestorationStepNames.Format(restoration.Steps)}");
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"restoreStrength={restoration.Strength:0.###}"));
        }
        return new ColorizationMark
        {
            Software = ColorizationMark.ProductVersion,
            Model = ModelName,
            Options = string.Join("; ", parts),
            Hints = guidance?.Hints.Count ?? 0,
            ReferencePhoto = guidance?.Reference is not null,
            Restoration = restoration?.Describe() ?? "none",
        };
    }

    private OutputMetadata OutputMetadataFor(EncoderOptions encoder, ColorizationOptions options, ColorGuidance? guidance) =>
        OutputMetadata.Prepare(Source.Metadata, encoder.Metadata, Mark(options, guidance), Width, Height);

    /// <inheritdoc />
    public void Dispose()
    {
        Source.Dispose();
        lock (_previewLock)
            _preview?.Dispose();
        lock (_guidedLock)
            _guided?.Dispose();
    }
}

/// <summary>A colour the network found likely at a spot, with its probability (0–1) there.</summary>
public readonly record struct LikelyColor(LabColor Color, double Probability);
