using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Guidance;

/// <summary>
/// Moves a result's chroma statistics toward a reference photo's (Reinhard et al.'s transfer, on a* and b* only, so
/// the photo's own lightness stays): ab' = (ab − μ_result)·σ_ref/σ_result + μ_ref, globally or per luminance band.
/// </summary>
internal static class ColorTransfer
{
    // A band needs this share of the pixels for its own statistics to mean anything.
    private const double MinBandShare = 0.02;

    // A nearly grey result has tiny spreads; limiting the gain keeps noise from being blown up into colour.
    private const double MinGain = 0.2, MaxGain = 5;

    /// <summary>Band centres on L* (0–100): shadows, mid-tones, highlights.</summary>
    private static readonly double[] BandCentres = [100.0 / 6, 50, 500.0 / 6];

    /// <summary>The photo in float Lab, shrunk so its longer side is at most <paramref name="maxSide"/>. The caller owns it.</summary>
    public static Mat LabAt(DecodedImage image, int maxSide)
    {
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(image.Width, image.Height));
        using var small = new Mat();
        var size = new Size(Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)));
        Cv2.Resize(image.Pixels, small, size, 0, 0, InterpolationFlags.Area);
        return LabPipeline.ToLab(small, image.UnitScale);
    }

    /// <summary>Statistics of a CV_32FC3 Lab image: global and per band (hard band membership).</summary>
    public static (ChromaStatistics Global, ChromaStatistics[] Bands) Measure(Mat lab)
    {
        int count = lab.Rows * lab.Cols;
        var sums = new double[ReferencePalette.BandCount + 1, 5];
        unsafe
        {
            var values = new ReadOnlySpan<float>((void*)lab.Data, count * 3);
            for (int i = 0; i < values.Length; i += 3)
                Accumulate(sums, Band(values[i]), values[i + 1], values[i + 2]);
        }
        return Statistics(sums, count);
    }

    /// <summary>Statistics of a chroma grid (CV_32FC2) with its lightness (CV_32FC1, same size).</summary>
    public static (ChromaStatistics Global, ChromaStatistics[] Bands) Measure(Mat ab, Mat lightness)
    {
        int count = ab.Rows * ab.Cols;
        var sums = new double[ReferencePalette.BandCount + 1, 5];
        unsafe
        {
            var chroma = new ReadOnlySpan<float>((void*)ab.Data, count * 2);
            var light = new ReadOnlySpan<float>((void*)lightness.Data, count);
            for (int i = 0; i < count; i++)
                Accumulate(sums, Band(light[i]), chroma[2 * i], chroma[2 * i + 1]);
        }
        return Statistics(sums, count);
    }

    /// <summary>
    /// Applies the transfer to <paramref name="ab"/> (CV_32FC2) in place, with <paramref name="lightness"/> (CV_32FC1, L*
    /// in 0–100, same size) choosing the bands.
    /// </summary>
    public static void Apply(Mat ab, Mat lightness, ReferencePalette reference, ReferenceTransferMode mode)
    {
        var (global, bands) = Measure(ab, lightness);
        var transforms = mode == ReferenceTransferMode.Global
            ? [Transform(global, reference.Global)]
            : Enumerable.Range(0, ReferencePalette.BandCount)
                .Select(k => Transform(bands[k], reference.Bands[k]))
                .ToArray();
        int count = ab.Rows * ab.Cols;
        unsafe
        {
            var chroma = new Span<float>((void*)ab.Data, count * 2);
            var light = new ReadOnlySpan<float>((void*)lightness.Data, count);
            for (int i = 0; i < count; i++)
            {
                double a = chroma[2 * i], b = chroma[2 * i + 1];
                double newA = 0, newB = 0;
                if (transforms.Length == 1)
                {
                    (newA, newB) = transforms[0].Map(a, b);
                }
                else
                {
                    // Linear weights between the two nearest band centres: no seams where one band meets the next.
                    var (low, high, t) = BandBlend(light[i]);
                    var (lowA, lowB) = transforms[low].Map(a, b);
                    var (highA, highB) = transforms[high].Map(a, b);
                    newA = lowA + t * (highA - lowA);
                    newB = lowB + t * (highB - lowB);
                }
                chroma[2 * i] = (float)Math.Clamp(newA, LabColor.MinChroma, LabColor.MaxChroma);
                chroma[2 * i + 1] = (float)Math.Clamp(newB, LabColor.MinChroma, LabColor.MaxChroma);
            }
        }
    }

    private readonly record struct ChannelTransform(double MeanA, double GainA, double TargetA, double MeanB, double GainB, double TargetB)
    {
        public (double A, double B) Map(double a, double b) => ((a - MeanA) * GainA + TargetA, (b - MeanB) * GainB + TargetB);
    }

    private static ChannelTransform Transform(ChromaStatistics from, ChromaStatistics to) => new(
        from.MeanA, Gain(from.DeviationA, to.DeviationA), to.MeanA,
        from.MeanB, Gain(from.DeviationB, to.DeviationB), to.MeanB);

    private static double Gain(double from, double to) => from < 1e-6 ? 1 : Math.Clamp(to / from, MinGain, MaxGain);

    private static int Band(float lightness) => lightness < 100.0 / 3 ? 0 : lightness < 200.0 / 3 ? 1 : 2;

    private static (int Low, int High, double T) BandBlend(float lightness)
    {
        if (lightness <= BandCentres[0])
            return (0, 0, 0);
        if (lightness >= BandCentres[^1])
            return (BandCentres.Length - 1, BandCentres.Length - 1, 0);
        int low = lightness < BandCentres[1] ? 0 : 1;
        return (low, low + 1, (lightness - BandCentres[low]) / (BandCentres[low + 1] - BandCentres[low]));
    }

    private static void Accumulate(double[,] sums, int band, double a, double b)
    {
        foreach (int slot in (ReadOnlySpan<int>)[band, ReferencePalette.BandCount])
        {
            sums[slot, 0] += 1;
            sums[slot, 1] += a;
            sums[slot, 2] += b;
            sums[slot, 3] += a * a;
            sums[slot, 4] += b * b;
        }
    }

    private static (ChromaStatistics, ChromaStatistics[]) Statistics(double[,] sums, int count)
    {
        ChromaStatistics At(int slot)
        {
            double n = sums[slot, 0];
            if (n == 0)
                return new ChromaStatistics(0, 0, 0, 0, 0);
            double meanA = sums[slot, 1] / n, meanB = sums[slot, 2] / n;
            return new ChromaStatistics(meanA, meanB,
                Math.Sqrt(Math.Max(0, sums[slot, 3] / n - meanA * meanA)),
                Math.Sqrt(Math.Max(0, sums[slot, 4] / n - meanB * meanB)), (long)n);
        }
        var global = At(ReferencePalette.BandCount);
        var bands = Enumerable.Range(0, ReferencePalette.BandCount)
            .Select(k => At(k) is { } band && band.Pixels >= MinBandShare * count ? band : global)
            .ToArray();
        return (global, bands);
    }
}
