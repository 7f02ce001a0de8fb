using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Restoration;

/// <summary>
/// Repairs a photo's lightness before it is colorized: dust and spots, scratches, grain and noise, faded contrast
/// (<see cref="RestorationSteps"/>). Each step finds its damage on an 8-bit copy and repairs the photo at its own depth,
/// so 16-bit scans stay 16-bit. The methods and their measured effect are in docs/restoration.md.
/// </summary>
public static class PhotoRestorer
{
    // Specks up to about 10 px across; a median of this size removes them and keeps anything larger.
    private const int DustWindow = 11;
    private const int MaxSpeckSide = 10;
    private const int MaxSpeckArea = 80;

    // Scratches up to about 5 px wide stand out of a morphological opening or closing with a disc of this diameter.
    private const int ScratchKernel = 11;
    private const double MaxScratchThickness = 10;

    // Below this noise level (8-bit units) a photo is taken as clean and the denoiser leaves it alone.
    private const double CleanNoise = 0.8;

    // A photo whose tones (0.2nd to 99.8th percentile) span at least this share of the range is not faded.
    private const double FullSpread = 0.75;

    /// <summary>
    /// Repairs <paramref name="image"/>, taking ownership of it (it is disposed, or returned as it is when no step is on).
    /// The result is grey (a colour input is colorized from its lightness anyway), at the input's depth, with its alpha
    /// and metadata, and records the repairs in <see cref="DecodedImage.Restoration"/>. The caller owns it.
    /// </summary>
    public static DecodedImage Apply(DecodedImage image, RestorationOptions options)
    {
        options.Validate();
        if (options.IsEmpty)
            return image;
        Mat? grey = null;
        try
        {
            grey = Restore(image.Pixels, options.Steps, options.Strength);
            var restored = new DecodedImage(grey, image.Alpha?.Clone(), image.Format, image.HasColor)
            {
                Metadata = image.Metadata,
                Restoration = options,
            };
            grey = null;
            image.Dispose();
            return restored;
        }
        finally
        {
            grey?.Dispose();
        }
    }

    /// <summary>
    /// Repairs a copy of <paramref name="image"/>, which the caller keeps: the repaired image (see <see cref="Apply"/>),
    /// or a plain copy when no step is on. Nothing is left behind when it throws. The caller owns the result.
    /// </summary>
    public static DecodedImage ApplyToCopy(DecodedImage image, RestorationOptions options)
    {
        var copy = image.Clone();
        try
        {
            return Apply(copy, options);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The repaired lightness of <paramref name="pixels"/> (grey or BGR, 8 or 16 bits): a new grey Mat of the same depth,
    /// owned by the caller, with <paramref name="steps"/> applied in the order dust, scratches, noise, contrast.
    /// </summary>
    public static Mat Restore(Mat pixels, RestorationSteps steps, double strength)
    {
        var grey = new Mat();
        try
        {
            if (pixels.Channels() == 3)
                Cv2.CvtColor(pixels, grey, ColorConversionCodes.BGR2GRAY);
            else
                pixels.CopyTo(grey);
            double noise;
            using (var eight = EightBit(grey))
                noise = NoiseLevel(eight);
            if (steps.HasFlag(RestorationSteps.Dust))
                Replace(ref grey, RemoveDust(grey, noise));
            if (steps.HasFlag(RestorationSteps.Scratches))
                Replace(ref grey, RemoveScratches(grey, noise));
            if (steps.HasFlag(RestorationSteps.Noise))
                Replace(ref grey, Denoise(grey, noise, strength));
            if (steps.HasFlag(RestorationSteps.Contrast))
                Replace(ref grey, RestoreContrast(grey, strength));
            return grey;
        }
        catch
        {
            grey.Dispose();
            throw;
        }
    }

    private static void Replace(ref Mat current, Mat next)
    {
        current.Dispose();
        current = next;
    }

    private static Mat EightBit(Mat grey)
    {
        var eight = new Mat();
        if (grey.Depth() == MatType.CV_16U)
            grey.ConvertTo(eight, MatType.CV_8U, 1.0 / 257);
        else
            grey.CopyTo(eight);
        return eight;
    }

    /// <summary>
    /// The standard deviation of the noise in an 8-bit grey image, by Immerkær's method ("Fast noise variance
    /// estimation", 1996): the mean absolute response to a Laplacian difference that cancels smooth content.
    /// </summary>
    internal static double NoiseLevel(Mat eight)
    {
        if (eight.Rows < 3 || eight.Cols < 3)
            return 0;
        using var kernel = Mat.FromArray(new float[,] { { 1, -2, 1 }, { -2, 4, -2 }, { 1, -2, 1 } });
        using var response = new Mat();
        Cv2.Filter2D(eight, response, MatType.CV_32F, kernel, borderType: BorderTypes.Reflect);
        using var magnitude = new Mat();
        Cv2.Absdiff(response, Scalar.All(0), magnitude);
        return Math.Sqrt(Math.PI / 2) / 6 * Cv2.Mean(magnitude).Val0;
    }

    /// <summary>
    /// The median over the image of the standard deviation in 5×5 windows: in a photo mostly made of smooth areas,
    /// the deviation of its noise, clumped or not.
    /// </summary>
    internal static double LocalDeviation(Mat eight)
    {
        using var values = new Mat();
        eight.ConvertTo(values, MatType.CV_32F);
        using var mean = new Mat();
        using var squares = new Mat();
        using var meanOfSquares = new Mat();
        Cv2.Blur(values, mean, new Size(5, 5));
        Cv2.Multiply(values, values, squares);
        Cv2.Blur(squares, meanOfSquares, new Size(5, 5));
        Cv2.Multiply(mean, mean, mean);
        Cv2.Subtract(meanOfSquares, mean, meanOfSquares);
        Cv2.Max(meanOfSquares, Scalar.All(0), meanOfSquares);
        Cv2.Sqrt(meanOfSquares, meanOfSquares);
        // The median from a histogram of quarter levels up to 64.
        using var histogram = new Mat();
        Cv2.CalcHist([meanOfSquares], [0], null, histogram, 1, [256], [new Rangef(0, 64)]);
        double half = meanOfSquares.Total() / 2.0, sum = 0;
        for (int bin = 0; bin < 256; bin++)
        {
            sum += histogram.At<float>(bin);
            if (sum >= half)
                return bin / 4.0;
        }
        return 64;
    }

    // Dust: pixels far from the median of their neighbourhood, in small compact groups; the photo is inpainted there.
    internal static Mat RemoveDust(Mat grey, double noise)
    {
        using var eight = EightBit(grey);
        using var median = new Mat();
        Cv2.MedianBlur(eight, median, DustWindow);
        using var difference = new Mat();
        Cv2.Absdiff(eight, median, difference);
        using var candidates = new Mat();
        Cv2.Threshold(difference, candidates, Math.Max(24, 4 * noise), 255, ThresholdTypes.Binary);
        using var mask = KeepComponents(candidates, (width, height, area) =>
            width <= MaxSpeckSide && height <= MaxSpeckSide && area <= MaxSpeckArea);
        return Inpaint(grey, mask, radius: 3);
    }

    // Scratches: thin bright lines stand out of an opening (top-hat), thin dark ones out of a closing (black-hat); only
    // long, thin groups count.
    internal static Mat RemoveScratches(Mat grey, double noise)
    {
        using var eight = EightBit(grey);
        using var disc = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(ScratchKernel, ScratchKernel));
        using var bright = new Mat();
        using var dark = new Mat();
        Cv2.MorphologyEx(eight, bright, MorphTypes.TopHat, disc);
        Cv2.MorphologyEx(eight, dark, MorphTypes.BlackHat, disc);
        using var response = new Mat();
        Cv2.Max(bright, dark, response);
        using var candidates = new Mat();
        Cv2.Threshold(response, candidates, Math.Max(18, 4 * noise), 255, ThresholdTypes.Binary);
        double minLength = Math.Max(30, 0.06 * Math.Min(grey.Cols, grey.Rows));
        using var mask = KeepComponents(candidates, (width, height, area) =>
        {
            int length = Math.Max(width, height);
            return length >= minLength && area <= MaxScratchThickness * length;
        });
        return Inpaint(grey, mask, radius: 4);
    }

    private static Mat KeepComponents(Mat candidates, Func<int, int, int, bool> keep)
    {
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        int count = Cv2.ConnectedComponentsWithStats(candidates, labels, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
        var lookup = new int[count];
        for (int i = 1; i < count; i++)
        {
            int width = stats.At<int>(i, (int)ConnectedComponentsTypes.Width);
            int height = stats.At<int>(i, (int)ConnectedComponentsTypes.Height);
            int area = stats.At<int>(i, (int)ConnectedComponentsTypes.Area);
            lookup[i] = keep(width, height, area) ? 255 : 0;
        }
        var mask = new Mat(candidates.Size(), MatType.CV_8UC1, Scalar.All(0));
        if (lookup.Any(v => v != 0))
        {
            int rows = labels.Rows, columns = labels.Cols;
            unsafe
            {
                for (int y = 0; y < rows; y++)
                {
                    var labelRow = new ReadOnlySpan<int>((void*)labels.Ptr(y), columns);
                    var maskRow = new Span<byte>((void*)mask.Ptr(y), columns);
                    for (int x = 0; x < columns; x++)
                    {
                        if (lookup[labelRow[x]] != 0)
                            maskRow[x] = 255;
                    }
                }
            }
        }
        return mask;
    }

    // The mask is grown by a pixel (a speck's or scratch's soft edge), then filled from around it (Telea's method).
    private static Mat Inpaint(Mat grey, Mat mask, double radius)
    {
        var repaired = new Mat();
        if (Cv2.CountNonZero(mask) == 0)
        {
            grey.CopyTo(repaired);
            return repaired;
        }
        using var grown = new Mat();
        using var square = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(3, 3));
        Cv2.Dilate(mask, grown, square);
        Cv2.Inpaint(grey, grown, repaired, radius, InpaintTypes.Telea);
        return repaired;
    }

    // Non-local means: each pixel is averaged with pixels whose neighbourhoods look alike, so edges stay sharp. The
    // filter strength follows the measured noise; a clean photo is left alone.
    internal static Mat Denoise(Mat grey, double noise, double strength)
    {
        var result = new Mat();
        if (noise < CleanNoise)
        {
            grey.CopyTo(result);
            return result;
        }
        using var eight = EightBit(grey);
        // Grain clumped over a pixel or two hides from the Laplacian estimate; the typical local deviation sees it.
        noise = Math.Max(noise, LocalDeviation(eight));
        float h = (float)(noise * (0.6 + 1.2 * strength));
        using var denoised = new Mat();
        Cv2.FastNlMeansDenoising(eight, denoised, h, 7, 21);
        if (grey.Depth() == MatType.CV_8U)
        {
            denoised.CopyTo(result);
            return result;
        }
        // 16 bits: the 8-bit correction is added to the photo, which keeps its own fine levels.
        using var correction = new Mat();
        Cv2.Subtract(denoised, eight, correction, null, MatType.CV_32F);
        using var wide = new Mat();
        grey.ConvertTo(wide, MatType.CV_32F);
        Cv2.ScaleAdd(correction, 257, wide, wide);
        wide.ConvertTo(result, MatType.CV_16U);
        return result;
    }

    // Faded prints have lifted blacks and dull whites: the tones are stretched back to a print's usual range (from the
    // 0.2nd and 99.8th percentiles), and local contrast (CLAHE) is blended in as far as the photo was faded.
    internal static Mat RestoreContrast(Mat grey, double strength)
    {
        var result = new Mat();
        using var eight = EightBit(grey);
        var (low, high) = Percentiles(eight, 0.002, 0.998);
        double spread = high - low;
        if (spread >= FullSpread * 255 || spread < 1)
        {
            grey.CopyTo(result);
            return result;
        }
        double fade = Math.Clamp((FullSpread * 255 - spread) / (FullSpread * 255 * 0.6), 0, 1);
        double unit = grey.Depth() == MatType.CV_16U ? 257 : 1;
        const double targetLow = 16, targetHigh = 240;
        double scale = (targetHigh - targetLow) / spread;
        using var stretched = new Mat();
        grey.ConvertTo(stretched, grey.Type(), scale, (targetLow - low * scale) * unit);
        using var clahe = Cv2.CreateCLAHE(1 + 2 * strength, new Size(8, 8));
        using var local = new Mat();
        clahe.Apply(stretched, local);
        double weight = strength * fade;
        Cv2.AddWeighted(stretched, 1 - weight, local, weight, 0, result);
        return result;
    }

    private static (double Low, double High) Percentiles(Mat eight, double low, double high)
    {
        using var histogram = new Mat();
        Cv2.CalcHist([eight], [0], null, histogram, 1, [256], [new Rangef(0, 256)]);
        double total = eight.Total(), sum = 0;
        double? lowLevel = null, highLevel = null;
        for (int level = 0; level < 256; level++)
        {
            sum += histogram.At<float>(level);
            if (lowLevel is null && sum >= low * total)
                lowLevel = level;
            if (highLevel is null && sum >= high * total)
                highLevel = level;
        }
        return (lowLevel ?? 0, highLevel ?? 255);
    }
}
