using Colorizer.Core.Models.Catalogue;

namespace Colorizer.Core.Colorization;

/// <summary>
/// What a colorization costs the server, in units of a default job (the 2016 network at 224 pixels on a small photo),
/// for the <see cref="WorkQueue"/>'s fair share: an estimate made before any work, from what is known up front.
/// </summary>
public static class ColorizationCost
{
    // A photo's decode and compose grow with its pixels; about 8 MB of file is a 12-megapixel JPEG, whose decode and
    // compose take about as long as one default forward pass on two cores.
    private const double BytesPerUnit = 8 * 1024 * 1024;

    // DDColor and DeOldify are far larger networks than the 2016 one (about 1 GB of weights against 129 MB); a pass at
    // their default size is counted as four default jobs. Not measured here (the files cannot be downloaded): a bound
    // for fairness, not a speed claim.
    private const double LargeModelFactor = 4;

    /// <summary>
    /// The cost of running <paramref name="model"/> at <paramref name="renderSize"/> on a file of
    /// <paramref name="encodedBytes"/> bytes: the network's input area relative to the model's default, times the model's
    /// weight, plus the decode and compose of the photo's size. At least 1.
    /// </summary>
    public static double Estimate(ColorModel model, int renderSize, long encodedBytes)
    {
        double network = InputAreas(model, renderSize) * (model.IsOnnxFile ? LargeModelFactor : 1);
        return Math.Max(1, network + Math.Max(0, encodedBytes) / BytesPerUnit);
    }

    /// <summary>The network's input area at <paramref name="renderSize"/>, in areas of <paramref name="model"/>'s default input.</summary>
    public static double InputAreas(ColorModel model, int renderSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        double side = (double)renderSize / model.DefaultInputSize;
        return side * side;
    }
}
