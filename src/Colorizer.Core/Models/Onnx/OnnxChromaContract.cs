using Colorizer.Core.Models.Catalogue;
using OpenCvSharp;

namespace Colorizer.Core.Models.Onnx;

/// <summary>
/// The two ONNX types' input and output, as facefusion feeds and reads the published files. Both inputs come from
/// the engine's lightness input (L − 50), so every model sees the photo's lightness alone: the RGB image of
/// (L, 0, 0), which is grey, in 0–1 for DDColor and 0–255 for DeOldify (for a grey photo that is its own grey; for a
/// colour photo its lightness rather than a luma-weighted grey).
/// </summary>
internal static class OnnxChromaContract
{
    /// <summary>
    /// The model input, channels first (R, G, B planes), side × side, from <paramref name="lightness"/> (L − 50,
    /// CV_32FC1, square; resized bilinearly when its side is not <paramref name="side"/>, as for a fixed-size model).
    /// </summary>
    public static float[] Input(Mat lightness, int side, ColorModelType type)
    {
        using var lab = new Mat(side, side, MatType.CV_32FC3, Scalar.All(0));
        using (var l = new Mat())
        {
            if (lightness.Rows == side)
                lightness.ConvertTo(l, MatType.CV_32FC1, 1, 50);
            else
            {
                using var resized = new Mat();
                Cv2.Resize(lightness, resized, new Size(side, side), 0, 0, InterpolationFlags.Linear);
                resized.ConvertTo(l, MatType.CV_32FC1, 1, 50);
            }
            Cv2.InsertChannel(l, lab, 0);
        }
        using var rgb = new Mat();
        Cv2.CvtColor(lab, rgb, ColorConversionCodes.Lab2RGB);
        int plane = side * side;
        var planes = new float[3 * plane];
        float scale = type == ColorModelType.DeOldify ? 255f : 1f;
        unsafe
        {
            var interleaved = new ReadOnlySpan<float>((void*)rgb.Data, 3 * plane);
            for (int i = 0; i < plane; i++)
            {
                // Lab → RGB clips to [0, 1] already; L outside [0, 100] cannot come from a photo.
                planes[i] = interleaved[3 * i] * scale;
                planes[plane + i] = interleaved[3 * i + 1] * scale;
                planes[2 * plane + i] = interleaved[3 * i + 2] * scale;
            }
        }
        return planes;
    }

    /// <summary>
    /// The interleaved (a, b) grid from the model's output (batch item 0, channels first): DDColor's a and b planes as
    /// they are; DeOldify's RGB, clipped to 0–255, converted to Lab, of which a and b are kept.
    /// </summary>
    public static float[] Ab(ReadOnlySpan<float> output, int side, ColorModelType type)
    {
        int plane = side * side;
        var ab = new float[2 * plane];
        if (type == ColorModelType.DDColor)
        {
            for (int i = 0; i < plane; i++)
            {
                ab[2 * i] = output[i];
                ab[2 * i + 1] = output[plane + i];
            }
            return ab;
        }
        using var bgr = new Mat(side, side, MatType.CV_32FC3);
        unsafe
        {
            var interleaved = new Span<float>((void*)bgr.Data, 3 * plane);
            for (int i = 0; i < plane; i++)
            {
                interleaved[3 * i] = Unit(output[2 * plane + i]);
                interleaved[3 * i + 1] = Unit(output[plane + i]);
                interleaved[3 * i + 2] = Unit(output[i]);
            }
        }
        using var lab = new Mat();
        Cv2.CvtColor(bgr, lab, ColorConversionCodes.BGR2Lab);
        unsafe
        {
            var interleaved = new ReadOnlySpan<float>((void*)lab.Data, 3 * plane);
            for (int i = 0; i < plane; i++)
            {
                ab[2 * i] = interleaved[3 * i + 1];
                ab[2 * i + 1] = interleaved[3 * i + 2];
            }
        }
        return ab;
    }

    // 0–255 to 0–1, clipped (facefusion casts to 8 bits; a NaN becomes 0).
    private static float Unit(float value) => float.IsNaN(value) ? 0 : Math.Clamp(value, 0f, 255f) / 255f;
}
