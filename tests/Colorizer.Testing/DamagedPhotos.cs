using OpenCvSharp;

namespace Colorizer.Testing;

/// <summary>
/// Clean synthetic grey photos and the damage old prints suffer (dust, scratches, noise, grain, fading), seeded, for
/// the restoration's known-answer tests and the benchmark. Every method returns a new Mat the caller owns.
/// </summary>
public static class DamagedPhotos
{
    /// <summary>
    /// A clean 8-bit photo: a diagonal gradient from 15 to 240 with soft-edged discs and rectangles of other greys, so
    /// it has flat areas, slopes and edges, and tones over nearly the whole range.
    /// </summary>
    public static Mat Clean(int width, int height, int seed = 1)
    {
        var random = new Random(seed);
        var levels = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                levels[y * width + x] = (float)(15 + 225.0 * (x + y) / (width + height - 2));
        }
        using var canvas = new Mat(height, width, MatType.CV_32FC1);
        canvas.SetArray(levels);
        int side = Math.Min(width, height);
        for (int i = 0; i < 6; i++)
        {
            var centre = new Point(random.Next(width), random.Next(height));
            double level = 30 + random.Next(196);
            if (i % 2 == 0)
                Cv2.Circle(canvas, centre, side / 10 + random.Next(side / 8), Scalar.All(level), -1, LineTypes.AntiAlias);
            else
                Cv2.Rectangle(canvas, new Rect(centre.X, centre.Y, side / 6 + random.Next(side / 5), side / 8 + random.Next(side / 6)), Scalar.All(level), -1);
        }
        using var soft = new Mat();
        Cv2.GaussianBlur(canvas, soft, new Size(0, 0), 1.2);
        var photo = new Mat();
        soft.ConvertTo(photo, MatType.CV_8U);
        return photo;
    }

    /// <summary>Bright and dark specks of 1 to 3 px radius (dust, spots), <paramref name="count"/> of them.</summary>
    public static Mat WithSpecks(Mat clean, int count, int seed = 2)
    {
        var random = new Random(seed);
        var damaged = clean.Clone();
        for (int i = 0; i < count; i++)
        {
            var centre = new Point(random.Next(clean.Cols), random.Next(clean.Rows));
            Cv2.Circle(damaged, centre, 1 + random.Next(3), Scalar.All(i % 2 == 0 ? 250 : 8), -1, LineTypes.AntiAlias);
        }
        return damaged;
    }

    /// <summary>Long thin bright and dark lines, 1 to 3 px wide, at 0°, 30°, 60°, 90°, 135° and 160°.</summary>
    public static Mat WithScratches(Mat clean, int seed = 3)
    {
        var random = new Random(seed);
        var damaged = clean.Clone();
        int[] angles = [0, 30, 60, 90, 135, 160];
        for (int i = 0; i < angles.Length; i++)
        {
            double radians = angles[i] * Math.PI / 180, length = 0.35 * Math.Min(clean.Cols, clean.Rows) + random.Next(60);
            var centre = new Point2d(clean.Cols * (0.2 + 0.6 * random.NextDouble()), clean.Rows * (0.2 + 0.6 * random.NextDouble()));
            var from = new Point(centre.X - length / 2 * Math.Cos(radians), centre.Y - length / 2 * Math.Sin(radians));
            var to = new Point(centre.X + length / 2 * Math.Cos(radians), centre.Y + length / 2 * Math.Sin(radians));
            Cv2.Line(damaged, from, to, Scalar.All(i % 2 == 0 ? 245 : 12), 1 + i % 3, LineTypes.AntiAlias);
        }
        return damaged;
    }

    /// <summary>Gaussian noise of standard deviation <paramref name="sigma"/> (8-bit levels).</summary>
    public static Mat WithGaussianNoise(Mat clean, double sigma, int seed = 4) => WithNoise(clean, sigma, 0, seed);

    /// <summary>Film grain: noise clumped over about a pixel (blurred), strongest in the mid-tones.</summary>
    public static Mat WithFilmGrain(Mat clean, double sigma, int seed = 5) => WithNoise(clean, sigma, 0.8, seed);

    private static Mat WithNoise(Mat clean, double sigma, double clump, int seed)
    {
        var random = new RNG((ulong)seed);
        using var noise = new Mat(clean.Size(), MatType.CV_32FC1);
        using (var mean = new Mat(1, 1, MatType.CV_64FC1, Scalar.All(0)))
        using (var deviation = new Mat(1, 1, MatType.CV_64FC1, Scalar.All(sigma)))
            random.Fill(noise, DistributionType.Normal, mean, deviation);
        using var shaped = new Mat();
        if (clump > 0)
        {
            Cv2.GaussianBlur(noise, shaped, new Size(0, 0), clump);
            // Blurring lowers the deviation; bring it back, then weight the mid-tones, where grain shows most.
            Cv2.Multiply(shaped, Scalar.All(sigma / Math.Max(1e-6, StandardDeviation(shaped))), shaped);
            using var unit = new Mat();
            clean.ConvertTo(unit, MatType.CV_32F, 1.0 / 255);
            using var midtones = new Mat();
            Cv2.Multiply(unit, Scalar.All(-1), midtones);
            Cv2.Add(midtones, Scalar.All(1), midtones);
            Cv2.Multiply(midtones, unit, midtones, 4); // 4·t·(1 − t): 1 at mid-grey, 0 at black and white
            Cv2.Multiply(shaped, midtones, shaped);
        }
        else
        {
            noise.CopyTo(shaped);
        }
        using var sum = new Mat();
        clean.ConvertTo(sum, MatType.CV_32F);
        Cv2.Add(sum, shaped, sum);
        var damaged = new Mat();
        sum.ConvertTo(damaged, MatType.CV_8U);
        return damaged;
    }

    private static double StandardDeviation(Mat values)
    {
        Cv2.MeanStdDev(values, out _, out var deviation);
        return deviation.Val0;
    }

    /// <summary>A faded print: the tones squeezed to 45 % of their spread around a lifted mid-grey.</summary>
    public static Mat Faded(Mat clean)
    {
        var damaged = new Mat();
        clean.ConvertTo(damaged, MatType.CV_8U, 0.45, 0.55 * 128 + 20);
        return damaged;
    }
}
