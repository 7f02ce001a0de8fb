using Colorizer.Core.Tests.Colorization;
using Colorizer.Testing;

namespace Colorizer.Core.Tests.Video;

/// <summary>The tiny known-answer models the video tests colour with: bright orange, dark blue.</summary>
internal static class VideoTestModels
{
    public static readonly int OrangeBin = SyntheticModels.BinAt(20, 40);
    public static readonly int BlueBin = SyntheticModels.BinAt(-10, -40);

    /// <summary>
    /// Bright cells orange, dark cells blue, the two bins tied (and far ahead of all others) at mid-grey: film grain on
    /// a mid-grey frame makes the frame-by-frame colour jump between them, which is what stabilization must calm.
    /// </summary>
    public static TinyEngine Sensitive()
    {
        var bias = new float[313];
        var slope = new float[313];
        bias[OrangeBin] = bias[BlueBin] = 8;
        slope[OrangeBin] = 1;
        slope[BlueBin] = -1;
        return new TinyEngine(TinyModel.Affine(bias, slope));
    }

    /// <summary>Colour that follows lightness smoothly, so a moving scene's colours move with it.</summary>
    public static TinyEngine Smooth() => new(TinyModel.LightnessDependent(OrangeBin, BlueBin, slope: 0.15f));
}
