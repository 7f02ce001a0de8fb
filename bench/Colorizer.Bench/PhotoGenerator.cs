using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>
/// Grey test photos that compress and process like real ones: smooth large-scale shading (gradients, waves, soft
/// blobs), sharp-edged shapes and thin lines at full resolution, and sensor-like Gaussian noise on top.
/// Deterministic for a given seed and size.
/// </summary>
internal static class PhotoGenerator
{
    private const int BaseWidth = 320;
    private const int BaseHeight = 240;

    /// <summary>A grey 8-bit image; the caller owns it.</summary>
    public static Mat Grey(int width, int height, int seed)
    {
        var random = new Random(seed);
        var image = new Mat();
        using (var shading = SmoothShading(random))
            Cv2.Resize(shading, image, new Size(width, height), 0, 0, InterpolationFlags.Cubic);

        // Hard edges at full resolution (buildings, objects, branches).
        double unit = Math.Min(width, height) / 100.0;
        for (int i = 0; i < 12; i++)
        {
            var corner = new Point(random.Next(width), random.Next(height));
            var size = new Size((int)(unit * random.Next(4, 25)), (int)(unit * random.Next(4, 25)));
            Cv2.Rectangle(image, new Rect(corner, size), Scalar.All(random.Next(10, 246)), -1, LineTypes.AntiAlias);
        }
        for (int i = 0; i < 8; i++)
        {
            var centre = new Point(random.Next(width), random.Next(height));
            Cv2.Circle(image, centre, (int)(unit * random.Next(2, 12)), Scalar.All(random.Next(10, 246)), -1, LineTypes.AntiAlias);
        }
        for (int i = 0; i < 40; i++)
        {
            var from = new Point(random.Next(width), random.Next(height));
            var to = new Point(from.X + (int)(unit * random.Next(-30, 31)), from.Y + (int)(unit * random.Next(-30, 31)));
            Cv2.Line(image, from, to, Scalar.All(random.Next(0, 256)), Math.Max(1, (int)(unit * random.NextDouble() * 0.6)), LineTypes.AntiAlias);
        }

        // Sensor noise, σ = 5 levels.
        using var noise = new Mat(height, width, MatType.CV_16SC1);
        Cv2.SetTheRNG((ulong)seed);
        Cv2.Randn(noise, Scalar.All(0), Scalar.All(5));
        using var wide = new Mat();
        image.ConvertTo(wide, MatType.CV_16SC1);
        Cv2.Add(wide, noise, wide);
        wide.ConvertTo(image, MatType.CV_8UC1);
        return image;
    }

    /// <summary>JPEG bytes at <paramref name="quality"/>, as a camera or scanner would write them.</summary>
    public static byte[] EncodeJpeg(Mat image, int quality)
    {
        if (!Cv2.ImEncode(".jpg", image, out byte[] bytes, [(int)ImwriteFlags.JpegQuality, quality]))
            throw new InvalidOperationException("OpenCV could not encode the test photo as JPEG.");
        return bytes;
    }

    // The low-frequency content at 320×240, 8-bit: sky-to-ground gradient, two waves, a bright soft blob, soft shapes.
    private static Mat SmoothShading(Random random)
    {
        using var field = new Mat(BaseHeight, BaseWidth, MatType.CV_32FC1);
        var pixels = field.AsSpan<float>();
        double phaseA = random.NextDouble() * Math.Tau, phaseB = random.NextDouble() * Math.Tau;
        for (int y = 0; y < BaseHeight; y++)
        {
            double v = y / (BaseHeight - 1.0);
            for (int x = 0; x < BaseWidth; x++)
            {
                double u = x / (BaseWidth - 1.0);
                double value = 200 - 120 * v
                    + 22 * Math.Sin(Math.Tau * (1.3 * u + 0.4 * v) + phaseA)
                    + 14 * Math.Cos(Math.Tau * (2.1 * v - 0.7 * u) + phaseB)
                    + 45 * Math.Exp(-((u - 0.7) * (u - 0.7) + (v - 0.28) * (v - 0.28)) / 0.015);
                pixels[y * BaseWidth + x] = (float)value;
            }
        }
        for (int i = 0; i < 6; i++)
        {
            var centre = new Point(random.Next(BaseWidth), random.Next(BaseHeight / 3, BaseHeight));
            var axes = new Size(random.Next(15, 70), random.Next(10, 40));
            Cv2.Ellipse(field, centre, axes, random.Next(180), 0, 360, Scalar.All(random.Next(30, 220)), -1, LineTypes.AntiAlias);
        }
        Cv2.GaussianBlur(field, field, new Size(0, 0), 3);
        var shading = new Mat();
        field.ConvertTo(shading, MatType.CV_8UC1);
        return shading;
    }
}
