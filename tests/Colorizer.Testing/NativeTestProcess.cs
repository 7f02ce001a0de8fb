using Colorizer.Core;
using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Testing;

/// <summary>
/// Puts a test process where the app's and the CLI's <c>Main</c> put theirs: OpenCV's decoder limits set in the native
/// environment from the engine's defaults, and only then OpenCV loaded. Loading it here, once, fixes the limits for
/// the whole test process, as a real process fixes them at start, so a test host configured with other limits cannot
/// change them for the tests after it.
/// </summary>
public static class NativeTestProcess
{
    private static readonly Lazy<string> Prepared = new(() =>
    {
        var defaults = new ColorizerOptions();
        OpenCvLimits.Apply(defaults.MaxPixels, defaults.MaxSide);
        return Cv2.GetVersionString() ?? "";
    });

    /// <summary>Applies the limits and loads OpenCV, once per process; returns OpenCV's version.</summary>
    public static string Prepare() => Prepared.Value;
}
