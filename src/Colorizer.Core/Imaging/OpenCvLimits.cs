using System.Globalization;
using OpenCvSharp;

namespace Colorizer.Core.Imaging;

/// <summary>The outcome of <see cref="OpenCvLimits.Verify"/>.</summary>
/// <param name="Passed">True when OpenCV's own limits are set and enforced.</param>
/// <param name="Message">What was found, for the log and the readiness check.</param>
public sealed record OpenCvLimitsReport(bool Passed, string Message);

/// <summary>
/// OpenCV's own decoder limits, the second line of defence behind the header check. OpenCV reads them once, from the
/// process environment, when its native library loads: a .NET <c>Environment.SetEnvironmentVariable</c> does not
/// reach it, so the launch profiles, scripts, Dockerfile and test settings set them before the process starts.
/// </summary>
public static class OpenCvLimits
{
    /// <summary>The most pixels OpenCV decodes.</summary>
    public const string MaxPixelsVariable = "OPENCV_IO_MAX_IMAGE_PIXELS";

    /// <summary>The widest image OpenCV decodes.</summary>
    public const string MaxWidthVariable = "OPENCV_IO_MAX_IMAGE_WIDTH";

    /// <summary>The tallest image OpenCV decodes.</summary>
    public const string MaxHeightVariable = "OPENCV_IO_MAX_IMAGE_HEIGHT";

    /// <summary>
    /// Checks that the three variables are set to numbers, then that OpenCV really refuses an image one pixel wider
    /// than its width limit (a 1-pixel-high PNG of a few hundred bytes, so the test costs nothing).
    /// </summary>
    public static OpenCvLimitsReport Verify()
    {
        var values = new Dictionary<string, long>();
        foreach (string name in new[] { MaxPixelsVariable, MaxWidthVariable, MaxHeightVariable })
        {
            string? text = Environment.GetEnvironmentVariable(name);
            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value <= 0)
                return new OpenCvLimitsReport(false,
                    $"{name} is not set in the process environment; start Colorizer through its launch profile, scripts or Docker image, which set OpenCV's decoder limits.");
            values[name] = value;
        }

        long width = values[MaxWidthVariable] + 1;
        if (width > 1_000_000)
            return new OpenCvLimitsReport(false, $"{MaxWidthVariable}={values[MaxWidthVariable]} is too large to be a limit.");
        byte[] wide;
        using (var row = new Mat(1, (int)width, MatType.CV_8UC1, Scalar.All(0)))
        {
            if (!Cv2.ImEncode(".png", row, out wide))
                return new OpenCvLimitsReport(false, "OpenCV could not encode the self-test image.");
        }
        try
        {
            using var decoded = Cv2.ImDecode(wide, ImreadModes.Unchanged);
            if (!decoded.Empty())
                return new OpenCvLimitsReport(false,
                    $"OpenCV decoded a {width}-pixel-wide image although {MaxWidthVariable}={values[MaxWidthVariable]}: its limits were set after the native library loaded.");
        }
        catch (OpenCVException)
        {
            // Refused: the limit is active.
        }
        return new OpenCvLimitsReport(true,
            $"OpenCV refuses images over {values[MaxPixelsVariable]:N0} pixels or {values[MaxWidthVariable]:N0}×{values[MaxHeightVariable]:N0}.");
    }
}
