using OpenCvSharp;

namespace Colorizer.Testing;

/// <summary>Images made by the tests themselves: gradients and shapes with known pixels, in memory or encoded.</summary>
public static class TestImages
{
    /// <summary>
    /// A grey 8-bit image with a horizontal gradient, a bright disc and a dark bar, so that lightness varies both
    /// smoothly and at edges. The caller owns it.
    /// </summary>
    public static Mat Grey(int width, int height)
    {
        var image = new Mat(height, width, MatType.CV_8UC1);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                image.Set(y, x, (byte)(40 + 170 * x / Math.Max(1, width - 1)));
        }
        int radius = Math.Max(1, Math.Min(width, height) / 4);
        Cv2.Circle(image, new Point(width / 3, height / 2), radius, Scalar.All(235), -1);
        Cv2.Rectangle(image, new Rect(width * 2 / 3, height / 4, Math.Max(1, width / 8), Math.Max(1, height / 2)), Scalar.All(20), -1);
        return image;
    }

    /// <summary>A grey 8-bit horizontal gradient from <paramref name="from"/> to <paramref name="to"/>. The caller owns it.</summary>
    public static Mat Gradient(int width, int height, byte from, byte to)
    {
        var image = new Mat(height, width, MatType.CV_8UC1);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                image.Set(y, x, (byte)(from + (to - from) * x / Math.Max(1, width - 1)));
        }
        return image;
    }

    /// <summary>A flat grey image of one level. The caller owns it.</summary>
    public static Mat Flat(int width, int height, byte level) => new(height, width, MatType.CV_8UC1, Scalar.All(level));

    /// <summary>
    /// Two grey regions split by a vertical edge at x = width / 2 (<paramref name="left"/> and <paramref name="right"/>),
    /// each with fine normal noise of spread <paramref name="noise"/> like texture in a photo: where a colour hint should
    /// fill one side and stop at the edge. The caller owns it.
    /// </summary>
    public static Mat TwoRegions(int width, int height, byte left, byte right, double noise = 3)
    {
        var image = new Mat(height, width, MatType.CV_8UC1, Scalar.All(left));
        using (var half = image.ColRange(width / 2, width))
            half.SetTo(Scalar.All(right));
        using var grain = new Mat(height, width, MatType.CV_16SC1);
        new RNG(7).Fill(grain, DistributionType.Normal, Scalar.All(0), Scalar.All(noise));
        using var wide = new Mat();
        image.ConvertTo(wide, MatType.CV_16SC1);
        Cv2.Add(wide, grain, wide);
        wide.ConvertTo(image, MatType.CV_8UC1);
        return image;
    }

    /// <summary>The mean L*, a* and b* of a region of an 8/16-bit grey, BGR or BGRA image.</summary>
    public static (double L, double A, double B) MeanLab(Mat image, Rect region)
    {
        using var lab = ToLab(image);
        using var part = new Mat(lab, region);
        var mean = Cv2.Mean(part);
        return (mean.Val0, mean.Val1, mean.Val2);
    }

    /// <summary>A colourful BGR image (hue gradient). The caller owns it.</summary>
    public static Mat Colorful(int width, int height)
    {
        using var hsv = new Mat(height, width, MatType.CV_8UC3);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                hsv.Set(y, x, new Vec3b((byte)(179 * x / Math.Max(1, width - 1)), 200, (byte)(90 + 120 * y / Math.Max(1, height - 1))));
        }
        var bgr = new Mat();
        Cv2.CvtColor(hsv, bgr, ColorConversionCodes.HSV2BGR);
        return bgr;
    }

    /// <summary>Encodes with OpenCV (extension with its dot: ".png", ".jpg", ".webp", ".bmp", ".tiff").</summary>
    public static byte[] Encode(Mat image, string extension, params int[] parameters)
    {
        if (!Cv2.ImEncode(extension, image, out byte[] bytes, parameters))
            throw new InvalidOperationException($"OpenCV could not encode {extension}.");
        return bytes;
    }

    /// <summary>Float Lab (L in [0, 100]) of an 8/16-bit grey, BGR or BGRA image. The caller owns it.</summary>
    public static Mat ToLab(Mat image)
    {
        double scale = image.Depth() == MatType.CV_16U ? 1.0 / 65535 : 1.0 / 255;
        using var bgr = new Mat();
        switch (image.Channels())
        {
            case 1: Cv2.CvtColor(image, bgr, ColorConversionCodes.GRAY2BGR); break;
            case 4: Cv2.CvtColor(image, bgr, ColorConversionCodes.BGRA2BGR); break;
            default: image.CopyTo(bgr); break;
        }
        using var unit = new Mat();
        bgr.ConvertTo(unit, MatType.CV_32FC3, scale);
        var lab = new Mat();
        Cv2.CvtColor(unit, lab, ColorConversionCodes.BGR2Lab);
        return lab;
    }

    /// <summary>PSNR in dB between two 8-bit images of one size and type.</summary>
    public static double Psnr(Mat expected, Mat actual) => Cv2.PSNR(expected, actual, 255);
}
