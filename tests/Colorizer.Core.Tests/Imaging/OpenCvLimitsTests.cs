using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

public sealed class OpenCvLimitsTests
{
    [Fact]
    public void SelfTest_PassesWhenTheLimitsAreInTheProcessEnvironment()
    {
        // tests/test.runsettings puts them into the test host's environment before it starts.
        var report = OpenCvLimits.Verify();
        Assert.True(report.Passed, report.Message);
        Assert.Contains("16,384", report.Message);
    }

    [Fact]
    public void OpenCv_RefusesAnImageWiderThanItsLimit_EvenWithoutOurHeaderCheck()
    {
        using var row = new Mat(1, 16_385, MatType.CV_8UC1, Scalar.All(7));
        Assert.True(Cv2.ImEncode(".png", row, out byte[] png));
        bool refused;
        try
        {
            using var decoded = Cv2.ImDecode(png, ImreadModes.Unchanged);
            refused = decoded.Empty();
        }
        catch (OpenCVException)
        {
            refused = true;
        }
        Assert.True(refused, "OpenCV decoded a 16,385-pixel-wide image");

        using var fits = new Mat(1, 16_384, MatType.CV_8UC1, Scalar.All(7));
        Assert.True(Cv2.ImEncode(".png", fits, out byte[] ok));
        using var decodedOk = Cv2.ImDecode(ok, ImreadModes.Unchanged);
        Assert.Equal(16_384, decodedOk.Cols);
    }
}
