using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>
/// How far one video's colour is from another's of the same frames: per frame, the mean ab distance √(Δa² + Δb²)
/// (ab units, at half size as <see cref="OutputFlicker"/> reads frames); over frames, the mean, the 95th percentile
/// and the largest.
/// </summary>
internal sealed record ChromaDifference(int Frames, double Mean, double P95, double Max)
{
    public static ChromaDifference Measure(string path, string reference)
    {
        using var first = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        using var second = new VideoCapture(reference, VideoCaptureAPIs.FFMPEG);
        if (!first.IsOpened() || !second.IsOpened())
            throw new InvalidOperationException($"OpenCV cannot open {path} or {reference}.");
        using var a = new Mat();
        using var b = new Mat();
        var perFrame = new List<double>();
        while (first.Read(a) && !a.Empty() && second.Read(b) && !b.Empty())
        {
            using var abA = OutputFlicker.HalfSizeAb(a);
            using var abB = OutputFlicker.HalfSizeAb(b);
            using var difference = new Mat();
            Cv2.Subtract(abA, abB, difference);
            perFrame.Add(OutputFlicker.MeanChroma(difference));
        }
        if (perFrame.Count == 0)
            return new ChromaDifference(0, double.NaN, double.NaN, double.NaN);
        perFrame.Sort();
        double p95 = perFrame[Math.Min(perFrame.Count - 1, (int)Math.Ceiling(0.95 * perFrame.Count) - 1)];
        return new ChromaDifference(perFrame.Count, perFrame.Average(), p95, perFrame[^1]);
    }
}
