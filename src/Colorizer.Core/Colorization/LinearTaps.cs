namespace Colorizer.Core.Colorization;

/// <summary>
/// The source rows (or columns) and weight that OpenCV's bilinear resize (INTER_LINEAR) reads for each destination
/// row. Computing them ourselves lets the pipeline resize row by row, in strips, with the same result as one
/// <c>cv::resize</c> over the whole image but without its full-size buffers.
/// </summary>
internal readonly record struct LinearTap(int Source0, int Source1, float Weight1);

internal static class LinearTaps
{
    public static LinearTap[] Compute(int sourceLength, int destinationLength)
    {
        var taps = new LinearTap[destinationLength];
        double scale = (double)sourceLength / destinationLength;
        for (int d = 0; d < destinationLength; d++)
        {
            // As OpenCV: fx = (float)((dx + 0.5) * scale - 0.5), clamped at both borders.
            float f = (float)((d + 0.5) * scale - 0.5);
            int s = (int)MathF.Floor(f);
            f -= s;
            if (s < 0)
            {
                f = 0;
                s = 0;
            }
            if (s >= sourceLength - 1)
            {
                f = 0;
                s = sourceLength - 1;
            }
            taps[d] = new LinearTap(s, Math.Min(s + 1, sourceLength - 1), f);
        }
        return taps;
    }
}
