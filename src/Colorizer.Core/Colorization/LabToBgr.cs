using System.Numerics;

namespace Colorizer.Core.Colorization;

/// <summary>
/// Lab → 8-bit BGR for rows of planar float L, a, b, with OpenCV's formulas (D65, sRGB, clipped to [0, 1]). OpenCV's
/// float conversion plus the conversion to 8 bits costs most of a full-resolution render; this one is vectorised,
/// needs no float BGR copy, and gamma-encodes through a table, within a level of OpenCV's result.
/// </summary>
internal static class LabToBgr
{
    private const float LThreshold = 8f; // 0.008856 · 903.3, as OpenCV rounds it
    private const float FThreshold = 6f / 29f;
    private const int GammaSteps = 65535;

    // XYZ → linear sRGB (OpenCV's XYZ2sRGB_D65) with the D65 white point folded into the X and Z columns.
    private const float Xn = 0.950456f, Zn = 1.088754f;
    private const float R0 = 3.240479f * Xn, R1 = -1.53715f, R2 = -0.498535f * Zn;
    private const float G0 = -0.969256f * Xn, G1 = 1.875991f, G2 = 0.041556f * Zn;
    private const float B0 = 0.055648f * Xn, B1 = -0.204043f, B2 = 1.057311f * Zn;

    // Linear [0, 1] in 65,536 steps → 8-bit sRGB; a step is at most 0.05 of an output level (at the steep dark end).
    private static readonly byte[] Gamma = BuildGamma();

    private static byte[] BuildGamma()
    {
        var table = new byte[GammaSteps + 1];
        for (int i = 0; i <= GammaSteps; i++)
        {
            double linear = (double)i / GammaSteps;
            double encoded = linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.Pow(linear, 1 / 2.4) - 0.055;
            table[i] = (byte)Math.Clamp(Math.Round(encoded * 255), 0, 255);
        }
        return table;
    }

    /// <summary>Converts one row. <paramref name="scratch"/> holds at least 3 × the row's length.</summary>
    public static void Row(ReadOnlySpan<float> lightness, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<int> scratch, Span<byte> bgr)
    {
        int n = lightness.Length;
        var red = scratch[..n];
        var green = scratch.Slice(n, n);
        var blue = scratch.Slice(2 * n, n);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var lThreshold = new Vector<float>(LThreshold);
            var fThreshold = new Vector<float>(FThreshold);
            var offset = new Vector<float>(16f / 116f);
            var zero = Vector<float>.Zero;
            var one = Vector<float>.One;
            var steps = new Vector<float>(GammaSteps);
            var half = new Vector<float>(0.5f);
            for (; i + width <= n; i += width)
            {
                var l = new Vector<float>(lightness[i..]);
                var dark = Vector.LessThanOrEqual(l, lThreshold);
                var fyLight = (l + new Vector<float>(16f)) / new Vector<float>(116f);
                var yDark = l / new Vector<float>(903.3f);
                var fy = Vector.ConditionalSelect(dark, new Vector<float>(7.787f) * yDark + offset, fyLight);
                var y = Vector.ConditionalSelect(dark, yDark, fyLight * fyLight * fyLight);
                var fx = new Vector<float>(a[i..]) / new Vector<float>(500f) + fy;
                var fz = fy - new Vector<float>(b[i..]) / new Vector<float>(200f);
                var x = Vector.ConditionalSelect(Vector.LessThanOrEqual(fx, fThreshold), (fx - offset) / new Vector<float>(7.787f), fx * fx * fx);
                var z = Vector.ConditionalSelect(Vector.LessThanOrEqual(fz, fThreshold), (fz - offset) / new Vector<float>(7.787f), fz * fz * fz);
                Index(R0 * x + R1 * y + R2 * z, zero, one, steps, half).CopyTo(red[i..]);
                Index(G0 * x + G1 * y + G2 * z, zero, one, steps, half).CopyTo(green[i..]);
                Index(B0 * x + B1 * y + B2 * z, zero, one, steps, half).CopyTo(blue[i..]);
            }
        }
        for (; i < n; i++)
        {
            float l = lightness[i], fy, y;
            if (l <= LThreshold)
            {
                y = l / 903.3f;
                fy = 7.787f * y + 16f / 116f;
            }
            else
            {
                fy = (l + 16f) / 116f;
                y = fy * fy * fy;
            }
            float fx = a[i] / 500f + fy, fz = fy - b[i] / 200f;
            float x = fx <= FThreshold ? (fx - 16f / 116f) / 7.787f : fx * fx * fx;
            float z = fz <= FThreshold ? (fz - 16f / 116f) / 7.787f : fz * fz * fz;
            red[i] = Index(R0 * x + R1 * y + R2 * z);
            green[i] = Index(G0 * x + G1 * y + G2 * z);
            blue[i] = Index(B0 * x + B1 * y + B2 * z);
        }
        var gamma = Gamma.AsSpan();
        for (int p = 0, o = 0; p < n; p++, o += 3)
        {
            bgr[o] = gamma[blue[p]];
            bgr[o + 1] = gamma[green[p]];
            bgr[o + 2] = gamma[red[p]];
        }
    }

    private static Vector<int> Index(Vector<float> linear, Vector<float> zero, Vector<float> one, Vector<float> steps, Vector<float> half) =>
        Vector.ConvertToInt32(Vector.Min(Vector.Max(linear, zero), one) * steps + half);

    private static int Index(float linear) => (int)(Math.Clamp(linear, 0f, 1f) * GammaSteps + 0.5f);
}
