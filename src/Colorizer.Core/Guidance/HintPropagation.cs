using OpenCvSharp;
using OpenCvSharp.XImgProc;

namespace Colorizer.Core.Guidance;

/// <summary>
/// Spreads colour hints over an image along its edges, with OpenCV's fast global smoother (a weighted-least-squares
/// solver guided by the lightness; see docs/hints.md for why this one). The hints are painted as seeds (a·m, b·m, m)
/// and smoothed together; their ratio is the hinted colour everywhere, and the smoothed mask m says how strongly the
/// hints reach each pixel. Regions cut off by an edge receive almost no mask, so they keep the network's colours.
/// </summary>
internal static class HintPropagation
{
    // Large λ lets a hint reach across a whole region; a small σ (in 8-bit lightness levels) makes edges stop it.
    internal const double Lambda = 20000, SigmaColor = 4, LambdaAttenuation = 0.25;
    internal const int Iterations = 3;

    // Every hint carries the same total mass (1), whatever its size, so a big stroke does not drown a small dot. A pixel
    // counts as fully hinted when its smoothed mask reaches this fraction of one hint's mass spread over the whole
    // image: a hint then fills its region, however large, and a region it barely leaks into stays as it was.
    private const double ReachFraction = 0.04;

    /// <summary>
    /// The hint field over <paramref name="guide"/> (CV_8UC1 lightness): a CV_32FC3 Mat of (a, b, weight) with the
    /// weight in [0, 1]. Hint coordinates are full-resolution pixels, scaled by <paramref name="scale"/>. The caller
    /// owns the result.
    /// </summary>
    public static Mat Propagate(Mat guide, IReadOnlyList<ColorHint> hints, double scale)
    {
        var size = guide.Size();
        var field = new Mat(size, MatType.CV_32FC3, Scalar.All(0));
        if (hints.Count == 0)
            return field;
        try
        {
            using var seeds = new Mat(size, MatType.CV_32FC3, Scalar.All(0));
            foreach (var hint in hints)
                Paint(seeds, hint, scale);
            if (Cv2.Sum(seeds).Val2 <= 0)
                return field;

            using (var smoother = FastGlobalSmootherFilter.Create(guide, Lambda, SigmaColor, LambdaAttenuation, Iterations))
                smoother.Filter(seeds, field);

            double reach = ReachFraction / ((double)size.Width * size.Height);
            int count = size.Width * size.Height;
            unsafe
            {
                var values = new Span<float>((void*)field.Data, count * 3);
                for (int i = 0; i < values.Length; i += 3)
                {
                    float mass = values[i + 2];
                    if (mass <= 1e-12f)
                    {
                        values[i] = values[i + 1] = values[i + 2] = 0;
                        continue;
                    }
                    values[i] /= mass;
                    values[i + 1] /= mass;
                    // A smooth ramp from no hint to fully hinted, so the hinted area has no hard rim.
                    values[i + 2] = (float)Math.Min(1.0, mass / reach);
                }
            }
            return field;
        }
        catch
        {
            field.Dispose();
            throw;
        }
    }

    // Paints the hint with mass 1 in all: (a, b, 1) divided by its area in pixels (a disc, or a thick polyline).
    private static void Paint(Mat seeds, ColorHint hint, double scale)
    {
        int thickness = Math.Max(1, (int)Math.Round(hint.Radius * scale));
        var points = hint.Points.Select(p => new Point((int)Math.Round(p.X * scale), (int)Math.Round(p.Y * scale))).ToArray();
        using var mask = new Mat(seeds.Size(), MatType.CV_8UC1, Scalar.All(0));
        Cv2.Circle(mask, points[0], thickness, Scalar.All(255), -1, LineTypes.Link8);
        for (int i = 1; i < points.Length; i++)
        {
            Cv2.Line(mask, points[i - 1], points[i], Scalar.All(255), 2 * thickness, LineTypes.Link8);
            Cv2.Circle(mask, points[i], thickness, Scalar.All(255), -1, LineTypes.Link8);
        }
        double area = Math.Max(1, Cv2.CountNonZero(mask));
        seeds.SetTo(new Scalar(hint.Color.A / area, hint.Color.B / area, 1 / area), mask);
    }

    /// <summary>Blends <paramref name="field"/> into <paramref name="ab"/> (CV_32FC2, same size) in place: ab ← (1 − w)·ab + w·hint.</summary>
    public static void Blend(Mat ab, Mat field)
    {
        int count = ab.Rows * ab.Cols;
        unsafe
        {
            var chroma = new Span<float>((void*)ab.Data, count * 2);
            var hinted = new ReadOnlySpan<float>((void*)field.Data, count * 3);
            for (int i = 0; i < count; i++)
            {
                float weight = hinted[3 * i + 2];
                if (weight <= 0)
                    continue;
                chroma[2 * i] += weight * (hinted[3 * i] - chroma[2 * i]);
                chroma[2 * i + 1] += weight * (hinted[3 * i + 1] - chroma[2 * i + 1]);
            }
        }
    }
}
