using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>Flicker measured on a written video, independently of the engine's own bookkeeping.</summary>
/// <param name="Frames">Frames read back.</param>
/// <param name="Fixed">Mean over consecutive frame pairs of (|Δa| + |Δb|) / 2 at the same pixel (ab units).</param>
/// <param name="Compensated">
/// The same with the known pan undone (frame i+1 compared with frame i shifted by the pan's step, on the overlap):
/// what remains is colour change, not motion. Equal to <paramref name="Fixed"/> for a still scene.
/// </param>
/// <param name="MeanChroma">Mean √(a² + b²) of the frames: how colourful the output is, to scale the flicker against.</param>
internal sealed record MeasuredFlicker(int Frames, double Fixed, double Compensated, double MeanChroma);

/// <summary>
/// Reads a video back with OpenCV (FFmpeg backend), converts each frame to CIE Lab (float, so a and b are in the same
/// units as the engine's ab) at half size (area downscale, for speed and to average out the encoder's 4:2:0 chroma
/// blocks) and averages |Δa| and |Δb| between consecutive frames. The engine's <c>MeanAbsoluteDifference</c> averages
/// the two channels too, so the numbers are on the same scale (the sum |Δa| + |Δb| is twice them).
/// </summary>
internal static class OutputFlicker
{
    /// <summary>Flicker of <paramref name="path"/>; the pair that ends at frame <paramref name="cutAt"/> (a scene cut) is left out.</summary>
    public static MeasuredFlicker Measure(string path, Func<int, int> offset, int cutAt = -1)
    {
        using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
            throw new InvalidOperationException($"OpenCV cannot open {path}.");
        using var frame = new Mat();
        Mat? previous = null, previousAb = null;
        int frames = 0, pairs = 0;
        double fixedSum = 0, compensatedSum = 0, chromaSum = 0;
        try
        {
            while (capture.Read(frame) && !frame.Empty())
            {
                var ab = HalfSizeAb(frame);
                chromaSum += MeanChroma(ab);
                if (previous is not null && previousAb is not null && frames != cutAt)
                {
                    double fixedChange = MeanAbsoluteAbDifference(previousAb, ab);
                    fixedSum += fixedChange;
                    int step = offset(frames) - offset(frames - 1);
                    if (step == 0)
                    {
                        compensatedSum += fixedChange;
                    }
                    else
                    {
                        // The scene moved left by `step`: current(x) = previous(x + step).
                        int width = frame.Cols - step;
                        using var before = new Mat(previous, new Rect(step, 0, width, frame.Rows));
                        using var after = new Mat(frame, new Rect(0, 0, width, frame.Rows));
                        using var beforeAb = HalfSizeAb(before);
                        using var afterAb = HalfSizeAb(after);
                        compensatedSum += MeanAbsoluteAbDifference(beforeAb, afterAb);
                    }
                    pairs++;
                }
                previousAb?.Dispose();
                previousAb = ab;
                previous?.Dispose();
                previous = frame.Clone();
                frames++;
            }
        }
        finally
        {
            previous?.Dispose();
            previousAb?.Dispose();
        }
        return pairs == 0
            ? new MeasuredFlicker(frames, double.NaN, double.NaN, frames > 0 ? chromaSum / frames : double.NaN)
            : new MeasuredFlicker(frames, fixedSum / pairs, compensatedSum / pairs, chromaSum / frames);
    }

    private static double MeanAbsoluteAbDifference(Mat first, Mat second)
    {
        using var difference = new Mat();
        Cv2.Absdiff(first, second, difference);
        var mean = Cv2.Mean(difference);
        return (mean.Val0 + mean.Val1) / 2;
    }

    public static double MeanChroma(Mat ab)
    {
        var channels = Cv2.Split(ab);
        try
        {
            using var magnitude = new Mat();
            Cv2.Magnitude(channels[0], channels[1], magnitude);
            return Cv2.Mean(magnitude).Val0;
        }
        finally
        {
            foreach (var channel in channels)
                channel.Dispose();
        }
    }

    // BGR 8-bit → half size (area) → float [0, 1] → Lab (L 0–100, a and b about −128…127) → the ab channels (CV_32FC2).
    public static Mat HalfSizeAb(Mat bgr)
    {
        using var small = new Mat();
        Cv2.Resize(bgr, small, new Size(Math.Max(1, bgr.Cols / 2), Math.Max(1, bgr.Rows / 2)), 0, 0, InterpolationFlags.Area);
        using var unit = new Mat();
        small.ConvertTo(unit, MatType.CV_32FC3, 1.0 / 255);
        using var lab = new Mat();
        Cv2.CvtColor(unit, lab, ColorConversionCodes.BGR2Lab);
        var ab = new Mat(lab.Size(), MatType.CV_32FC2);
        Cv2.MixChannels([lab], [ab], [1, 0, 2, 1]);
        return ab;
    }
}

/// <summary>
/// How much consecutive frames of a clip differ as the engine's skip test sees them: mean |ΔL| (L units, 0–100) of the
/// lightness at 224×224, resized bilinearly as the network input is, and, for comparison, with an area (averaging)
/// resize. Approximates <c>LabPipeline.NetworkInput</c> (internal); the skip test compares against <c>SkipThreshold</c>.
/// </summary>
internal static class InputChange
{
    public static (double Bilinear, double Area) Measure(string path, int size, int pairs)
    {
        using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
            throw new InvalidOperationException($"OpenCV cannot open {path}.");
        using var frame = new Mat();
        Mat? previousLinear = null, previousArea = null;
        double linearSum = 0, areaSum = 0;
        int count = 0;
        try
        {
            while (count < pairs && capture.Read(frame) && !frame.Empty())
            {
                using var lightness = Lightness(frame);
                var linear = new Mat();
                var area = new Mat();
                Cv2.Resize(lightness, linear, new Size(size, size), 0, 0, InterpolationFlags.Linear);
                Cv2.Resize(lightness, area, new Size(size, size), 0, 0, InterpolationFlags.Area);
                if (previousLinear is not null && previousArea is not null)
                {
                    linearSum += MeanAbsoluteDifference(previousLinear, linear);
                    areaSum += MeanAbsoluteDifference(previousArea, area);
                    count++;
                }
                previousLinear?.Dispose();
                previousLinear = linear;
                previousArea?.Dispose();
                previousArea = area;
            }
        }
        finally
        {
            previousLinear?.Dispose();
            previousArea?.Dispose();
        }
        return count == 0 ? (double.NaN, double.NaN) : (linearSum / count, areaSum / count);
    }

    private static Mat Lightness(Mat bgr)
    {
        using var unit = new Mat();
        bgr.ConvertTo(unit, MatType.CV_32FC3, 1.0 / 255);
        using var lab = new Mat();
        Cv2.CvtColor(unit, lab, ColorConversionCodes.BGR2Lab);
        var lightness = new Mat();
        Cv2.ExtractChannel(lab, lightness, 0);
        return lightness;
    }

    private static double MeanAbsoluteDifference(Mat first, Mat second)
    {
        using var difference = new Mat();
        Cv2.Absdiff(first, second, difference);
        return Cv2.Mean(difference).Val0;
    }
}
