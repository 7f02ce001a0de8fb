using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Guidance;

/// <summary>How a reference photo's colours are carried over.</summary>
public enum ReferenceTransferMode
{
    /// <summary>One mean and spread of a and b for the whole image.</summary>
    Global,

    /// <summary>Separately for shadows, mid-tones and highlights, blended smoothly between them.</summary>
    LuminanceBands,
}

/// <summary>
/// The colour statistics of a reference photo: mean and standard deviation of a* and b*, over the whole photo and
/// per luminance band. Small (a few numbers), so a session keeps it instead of the photo.
/// </summary>
public sealed class ReferencePalette
{
    /// <summary>The number of luminance bands (shadows, mid-tones, highlights).</summary>
    public const int BandCount = 3;

    // Statistics are taken on a shrunk copy: a few hundred thousand pixels describe a photo's colours well enough.
    private const int StatisticsSide = 512;

    internal ReferencePalette(ChromaStatistics global, ChromaStatistics[] bands)
    {
        Global = global;
        Bands = bands;
    }

    /// <summary>
    /// A palette from statistics measured before (a saved gallery's): <paramref name="bands"/> must hold
    /// <see cref="BandCount"/> entries, darkest first, and every value must be finite with deviations and counts not negative.
    /// </summary>
    public static ReferencePalette FromStatistics(ChromaStatistics global, IReadOnlyList<ChromaStatistics> bands)
    {
        ArgumentNullException.ThrowIfNull(bands);
        if (bands.Count != BandCount)
            throw new ArgumentException($"A palette has {BandCount} bands; got {bands.Count}.", nameof(bands));
        foreach (var statistics in bands.Prepend(global))
        {
            if (!double.IsFinite(statistics.MeanA) || !double.IsFinite(statistics.MeanB)
                || !(statistics.DeviationA >= 0) || !(statistics.DeviationB >= 0) || !double.IsFinite(statistics.DeviationA)
                || !double.IsFinite(statistics.DeviationB) || statistics.Pixels < 0)
                throw new ArgumentException("A palette's statistics must be finite, with deviations and pixel counts not negative.", nameof(bands));
        }
        return new ReferencePalette(global, [.. bands]);
    }

    /// <summary>Over the whole photo.</summary>
    public ChromaStatistics Global { get; }

    /// <summary>Per band, darkest first; a band with too few pixels repeats <see cref="Global"/>.</summary>
    public IReadOnlyList<ChromaStatistics> Bands { get; }

    /// <summary>The palette of a decoded colour photo. Throws <see cref="InvalidHintsException"/> when it has no colour.</summary>
    public static ReferencePalette FromImage(DecodedImage photo)
    {
        if (!photo.HasColor)
            throw new InvalidHintsException("The reference photo has no colour; choose a colour photo of a similar scene.") { ConcernsReference = true };
        using var lab = ColorTransfer.LabAt(photo, StatisticsSide);
        return FromLab(lab);
    }

    /// <summary>
    /// The palette of an encoded colour photo, recognised and size-checked like any input (<see cref="ImageDecoder.Decode"/>).
    /// Every way it can fail (not an image, corrupt, too large, too complex to decode, grey) throws <see cref="InvalidHintsException"/> with
    /// <see cref="InvalidHintsException.ConcernsReference"/> set and a message that starts with "The reference photo".
    /// </summary>
    public static ReferencePalette FromEncoded(ReadOnlySpan<byte> data, DecodeLimits? limits = null)
    {
        DecodedImage photo;
        try
        {
            photo = ImageDecoder.Decode(data, limits);
        }
        catch (Exception ex) when (ex is UnsupportedImageFormatException or InvalidImageException or ImageTooLargeException or ImageTooComplexException)
        {
            throw new InvalidHintsException($"The reference photo cannot be used: {ex.Message}", ex) { ConcernsReference = true };
        }
        using (photo)
            return FromImage(photo);
    }

    /// <summary>The palette of a CV_32FC3 Lab image.</summary>
    internal static ReferencePalette FromLab(Mat lab)
    {
        var (global, bands) = ColorTransfer.Measure(lab);
        return new ReferencePalette(global, bands);
    }
}

/// <summary>Mean and standard deviation of a* and b* over a set of pixels, and how many pixels that was.</summary>
public readonly record struct ChromaStatistics(double MeanA, double MeanB, double DeviationA, double DeviationB, long Pixels);
