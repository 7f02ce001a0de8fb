using Colorizer.Core.Models.Catalogue;

namespace Colorizer.Core.Colorization;

/// <summary>
/// What a colorization costs the server, in units of a default job (the 2016 network at 224 pixels on a small photo),
/// for the <see cref="WorkQueue"/>'s fair share: an estimate made before any work, from what is known up front.
/// </summary>
public static class ColorizationCost
{
    // A photo's decode and compose grow with its pixels: 12 megapixels take about as long as one default forward pass
    // on two cores. When the header cannot be read, its file size stands in (about 8 MB for a 12-megapixel JPEG).
    private const double PixelsPerUnit = 12_000_000;
    private const double BytesPerUnit = 8 * 1024 * 1024;

    // DDColor and DeOldify are far larger networks than the 2016 one (about 1 GB of weights against 129 MB); a pass at
    // their default size is counted as four default jobs. Not measured here (the files cannot be downloaded): a bound
    // for fairness, not a speed claim.
    private const double LargeModelFactor = 4;

    /// <summary>
    /// The cost of running <paramref name="model"/> at <paramref name="renderSize"/> on a file of
    /// <paramref name="encodedBytes"/> bytes (0 for work on a photo already decoded): the network's input area relative to
    /// the model's default, times the model's weight, plus the decode and compose of the photo's size. At least 1.
    /// </summary>
    public static double Estimate(ColorModel model, int renderSize, long encodedBytes) =>
        Estimate(model, renderSize, Math.Max(0, encodedBytes) / BytesPerUnit);

    /// <summary>
    /// The cost of running <paramref name="model"/> at <paramref name="renderSize"/> on the encoded photo
    /// <paramref name="encoded"/>: as <see cref="Estimate(ColorModel, int, long)"/>, but with the photo's size read from its
    /// header (its pixels, not its bytes: a flat 49-megapixel PNG is a small file and a long decode), falling back to its
    /// file size when the header cannot be read.
    /// </summary>
    public static double Estimate(ColorModel model, int renderSize, ReadOnlySpan<byte> encoded)
    {
        var format = Imaging.ImageFormatDetector.Detect(encoded);
        double photo = format is { } known && Imaging.ImageHeader.TryReadSize(encoded, known, out int width, out int height)
            ? (double)width * height / PixelsPerUnit
            : encoded.Length / BytesPerUnit;
        return Estimate(model, renderSize, photo);
    }

    private static double Estimate(ColorModel model, int renderSize, double photo)
    {
        ArgumentNullException.ThrowIfNull(model);
        double side = (double)renderSize / model.DefaultInputSize;
        double network = side * side * (model.IsOnnxFile ? LargeModelFactor : 1);
        return Math.Max(1, network + photo);
    }
}
