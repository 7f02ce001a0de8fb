using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

public sealed class OpenCvLimitsTests
{
    private static readonly Dictionary<string, string> Defaults = new()
    {
        [OpenCvLimits.MaxPixelsVariable] = "50000000",
        [OpenCvLimits.MaxWidthVariable] = "16384",
        [OpenCvLimits.MaxHeightVariable] = "16384",
    };

    [Fact]
    public void SelfTest_PassesWhenTheLimitsWereAppliedBeforeOpenCvLoaded()
    {
        // TestProcessSetup applies the engine's defaults, then loads OpenCV, as Main does.
        var report = OpenCvLimits.Verify();
        Assert.True(report.Passed, report.Message);
        Assert.Contains("16,384", report.Message);
        Assert.Contains(OpenCvLimits.StartupNotes, n => n.Message == "OPENCV_IO_MAX_IMAGE_WIDTH=16384 (from the configuration).");
    }

    [Fact]
    public void SelfTest_FailsWhenAVariableIsMissing()
    {
        var report = OpenCvLimits.Verify(name => name == OpenCvLimits.MaxHeightVariable ? null : Defaults[name]);
        Assert.False(report.Passed);
        Assert.StartsWith("OPENCV_IO_MAX_IMAGE_HEIGHT is not set", report.Message);
    }

    [Fact]
    public void SelfTest_FailsWhenOpenCvDecodesPastTheLimitTheEnvironmentClaims()
    {
        // The environment says 8,000, but the OpenCV in this process loaded with 16,384: the limits did not take effect.
        var claimed = new Dictionary<string, string>(Defaults) { [OpenCvLimits.MaxWidthVariable] = "8000" };
        var report = OpenCvLimits.Verify(name => claimed[name]);
        Assert.False(report.Passed);
        Assert.Contains("decoded a 8001-pixel-wide image", report.Message);
    }

    [Theory]
    [InlineData("16384", 16_384L)]
    [InlineData("0", 0L)]
    [InlineData("2KB", 2_048L)]
    [InlineData("3kb", 3_072L)]
    [InlineData("48MB", 50_331_648L)]
    [InlineData("1Mb", 1_048_576L)]
    public void OpenCvSizes_ParseAsOpenCvReadsThem(string text, long expected)
    {
        Assert.True(OpenCvLimits.TryParseOpenCvSize(text, out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("+100")] // OpenCV throws on these when it loads, killing the process: never kept
    [InlineData(" 100")]
    [InlineData("100 ")]
    [InlineData("-5")]
    [InlineData("1GB")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("99999999999999999999")]
    public void OpenCvSizes_RefuseWhatOpenCvCannotRead(string? text) => Assert.False(OpenCvLimits.TryParseOpenCvSize(text, out _));

    [Fact]
    public void Apply_AfterOpenCvHasLoaded_ChangesNothingAndSaysSo()
    {
        var notes = OpenCvLimits.Apply(1000, 100);
        var note = Assert.Single(notes);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, note.Level);
        Assert.Contains("already loaded", note.Message);
        Assert.True(OpenCvLimits.Verify().Passed);
        Assert.Contains("16,384", OpenCvLimits.Verify().Message);
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
