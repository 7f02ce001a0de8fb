using System.Numerics.Tensors;
using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Colorization;

/// <summary>
/// The pre- and post-processing around the network, as the reference recipe does it (float RGB in [0, 1] → Lab with
/// OpenCV, bilinear resizes), but in strips: a 24-megapixel input never has a full-size float copy.
/// </summary>
internal static class LabPipeline
{
    // About a megapixel of float work per strip: big enough for OpenCV's threads, small next to the image.
    private const int StripPixels = 1 << 20;

    /// <summary>
    /// The network input: the L channel resized to <paramref name="size"/>×<paramref name="size"/> (bilinear, as
    /// resizing the full-resolution Lab image would give), minus 50. Only the source rows the resize reads are
    /// converted to Lab. Returns a CV_32FC1 Mat the caller owns.
    /// </summary>
    public static Mat NetworkInput(DecodedImage image, int size)
    {
        var pixels = image.Pixels;
        var rowTaps = LinearTaps.Compute(pixels.Rows, size);
        var sourceRows = rowTaps.SelectMany(t => new[] { t.Source0, t.Source1 }).Distinct().Order().ToArray();
        var slot = new Dictionary<int, int>(sourceRows.Length);
        for (int i = 0; i < sourceRows.Length; i++)
            slot[sourceRows[i]] = i;

        using var gathered = new Mat(sourceRows.Length, pixels.Cols, pixels.Type());
        int rowBytes = pixels.Cols * (int)pixels.ElemSize();
        for (int i = 0; i < sourceRows.Length; i++)
            ByteRow(pixels, sourceRows[i], rowBytes).CopyTo(ByteRow(gathered, i, rowBytes));
        using var lightness = new Mat();
        using (var lab = ToLab(gathered, image.UnitScale))
            Cv2.ExtractChannel(lab, lightness, 0);
        using var narrowed = new Mat();
        Cv2.Resize(lightness, narrowed, new Size(size, sourceRows.Length), 0, 0, InterpolationFlags.Linear);

        var input = new Mat(size, size, MatType.CV_32FC1);
        for (int y = 0; y < size; y++)
        {
            var tap = rowTaps[y];
            var destination = FloatRow(input, y, size);
            Interpolate(FloatRow(narrowed, slot[tap.Source0], size), FloatRow(narrowed, slot[tap.Source1], size), tap.Weight1, destination);
            TensorPrimitives.Subtract(destination, 50f, destination);
        }
        return input;
    }

    /// <summary>
    /// Joins the original full-resolution L with <paramref name="abLow"/> (the network's grid, CV_32FC2) upsampled
    /// bilinearly, converts back to BGR and writes it at the input's depth, with the input's alpha. Returns a Mat of the
    /// input's size with 3 or 4 channels; the caller owns it.
    /// </summary>
    public static Mat Compose(DecodedImage image, Mat abLow)
    {
        var output = new Mat();
        try
        {
            Compose(image, abLow, output);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <see cref="Compose(DecodedImage, Mat)"/> into <paramref name="output"/>, which is (re)allocated only when its size
    /// or type differs: a video reuses one buffer for all its frames.
    /// </summary>
    public static void Compose(DecodedImage image, Mat abLow, Mat output)
    {
        var pixels = image.Pixels;
        int width = pixels.Cols, height = pixels.Rows;
        int depth = pixels.Depth();
        output.Create(height, width, MatType.MakeType(depth, image.Alpha is null ? 3 : 4));
        // Horizontal pass once at grid height; the vertical pass happens per output row below.
        using var abWide = new Mat();
        Cv2.Resize(abLow, abWide, new Size(width, abLow.Rows), 0, 0, InterpolationFlags.Linear);
        var rowTaps = LinearTaps.Compute(abLow.Rows, height);
        int stripRows = Math.Clamp(StripPixels / width, 1, height);
        double toInteger = depth == MatType.CV_16U ? 65535 : 255;

        if (IsEightBitGrey(pixels) && image.Alpha is null)
        {
            ComposeGrey(pixels, abWide, rowTaps, output);
            return;
        }

        using var ab = new Mat(stripRows, width, MatType.CV_32FC2);
        using var bgr = new Mat();
        using var bgrInteger = image.Alpha is null ? null : new Mat();
        bool greyLookup = IsEightBitGrey(pixels);
        using var labStrip = greyLookup ? new Mat(stripRows, width, MatType.CV_32FC3) : null;
        using var lightness = greyLookup ? new Mat() : null;
        for (int top = 0; top < height; top += stripRows)
        {
            int rows = Math.Min(stripRows, height - top);
            using var source = pixels.RowRange(top, top + rows);
            for (int y = 0; y < rows; y++)
            {
                var tap = rowTaps[top + y];
                Interpolate(FloatRow(abWide, tap.Source0, 2 * width), FloatRow(abWide, tap.Source1, 2 * width), tap.Weight1, FloatRow(ab, y, 2 * width));
            }
            using var abRows = ab.RowRange(0, rows);
            using var lab = greyLookup ? new Mat(labStrip!, new Rect(0, 0, width, rows)) : ToLab(source, image.UnitScale);
            if (greyLookup)
            {
                // L of a grey level is a function of that level alone: a table lookup instead of converting the
                // strip to float BGR and on to Lab, with the same values.
                Cv2.LUT(source, GreyLightness.Value, lightness!);
                Cv2.MixChannels([lightness!, abRows], [lab], [0, 0, 1, 1, 2, 2]);
            }
            else
            {
                Cv2.MixChannels([abRows], [lab], [0, 1, 1, 2]);
            }
            Cv2.CvtColor(lab, bgr, ColorConversionCodes.Lab2BGR);

            using var destination = output.RowRange(top, top + rows);
            if (image.Alpha is null)
            {
                // convertTo saturates, which is the recipe's clip to [0, 1].
                bgr.ConvertTo(destination, MatType.MakeType(depth, 3), toInteger);
            }
            else
            {
                bgr.ConvertTo(bgrInteger!, MatType.MakeType(depth, 3), toInteger);
                using var alpha = image.Alpha.RowRange(top, top + rows);
                Cv2.MixChannels([bgrInteger!, alpha], [destination], [0, 0, 1, 1, 2, 2, 3, 3]);
            }
        }
    }

    // The common case, 8-bit grey in and 8-bit BGR out, row by row without float Mats: L from a table, ab interpolated
    // per channel, Lab → BGR vectorised (LabToBgr).
    private static void ComposeGrey(Mat pixels, Mat abWide, LinearTap[] rowTaps, Mat output)
    {
        int width = pixels.Cols, height = pixels.Rows;
        var planes = Cv2.Split(abWide);
        try
        {
            var lightnessOf = new float[256];
            FloatRow(GreyLightness.Value, 0, 256).CopyTo(lightnessOf);
            var lightness = new float[width];
            var a = new float[width];
            var b = new float[width];
            var scratch = new int[3 * width];
            for (int y = 0; y < height; y++)
            {
                var grey = ByteRow(pixels, y, width);
                for (int x = 0; x < width; x++)
                    lightness[x] = lightnessOf[grey[x]];
                var tap = rowTaps[y];
                Interpolate(FloatRow(planes[0], tap.Source0, width), FloatRow(planes[0], tap.Source1, width), tap.Weight1, a);
                Interpolate(FloatRow(planes[1], tap.Source0, width), FloatRow(planes[1], tap.Source1, width), tap.Weight1, b);
                LabToBgr.Row(lightness, a, b, scratch, ByteRow(output, y, 3 * width));
            }
        }
        finally
        {
            foreach (var plane in planes)
                plane.Dispose();
        }
    }

    private static bool IsEightBitGrey(Mat pixels) => pixels.Channels() == 1 && pixels.Depth() == MatType.CV_8U;

    // L for each 8-bit grey level, computed by the same conversion as ToLab, so the lookup gives identical values.
    private static readonly Lazy<Mat> GreyLightness = new(() =>
    {
        using var levels = new Mat(1, 256, MatType.CV_8UC1);
        var span = ByteRow(levels, 0, 256);
        for (int i = 0; i < 256; i++)
            span[i] = (byte)i;
        using var lab = ToLab(levels, 1.0 / 255);
        var lightness = new Mat();
        Cv2.ExtractChannel(lab, lightness, 0);
        return lightness;
    });

    /// <summary>Float Lab (L in [0, 100]) of grey or BGR rows; the caller owns the result.</summary>
    internal static Mat ToLab(Mat pixels, double unitScale)
    {
        var lab = new Mat();
        using var unit = new Mat();
        pixels.ConvertTo(unit, MatType.MakeType(MatType.CV_32F, pixels.Channels()), unitScale);
        if (pixels.Channels() == 1)
        {
            using var bgr = new Mat();
            Cv2.CvtColor(unit, bgr, ColorConversionCodes.GRAY2BGR);
            Cv2.CvtColor(bgr, lab, ColorConversionCodes.BGR2Lab);
        }
        else
        {
            Cv2.CvtColor(unit, lab, ColorConversionCodes.BGR2Lab);
        }
        return lab;
    }

    private static void Interpolate(ReadOnlySpan<float> first, ReadOnlySpan<float> second, float weight, Span<float> destination)
    {
        if (weight == 0)
        {
            first.CopyTo(destination);
            return;
        }
        // first + w * (second - first), as OpenCV's vertical pass: (1 - w) * first + w * second.
        TensorPrimitives.Multiply(first, 1 - weight, destination);
        TensorPrimitives.MultiplyAdd(second, weight, destination, destination);
    }

    private static unsafe Span<byte> ByteRow(Mat mat, int row, int count) => new((void*)mat.Ptr(row), count);

    private static unsafe Span<float> FloatRow(Mat mat, int row, int count) => new((void*)mat.Ptr(row), count);
}
