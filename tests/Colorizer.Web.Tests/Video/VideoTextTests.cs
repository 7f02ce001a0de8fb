using Colorizer.Core.Video;
using Colorizer.Web.Video;

namespace Colorizer.Web.Tests.Video;

public sealed class VideoTextTests
{
    [Fact]
    public void Progress_SaysEstimatingUntilTheEngineGivesATimeLeft()
    {
        Assert.Equal("3 / 48 frames · 1.5 fps · ETA estimating…", VideoText.Progress(new VideoProgress(3, 48, 1.5, null), 48));
        Assert.Equal("20 / 48 frames · 4.0 fps · ETA 0:07", VideoText.Progress(new VideoProgress(20, 48, 4, TimeSpan.FromSeconds(7)), 48));
        // An unknown total has no time left to estimate.
        Assert.Equal("20 frames · 4.0 fps", VideoText.Progress(new VideoProgress(20, 0, 4, null), 0));
    }

    [Theory]
    [InlineData(1.06, 1.02, "colour steadiness: 4 % less flicker than frame by frame")]
    [InlineData(3.2, 0.8, "colour steadiness: 75 % less flicker than frame by frame")]
    [InlineData(1.0, 1.0, "colour steadiness: the same flicker as frame by frame")]
    [InlineData(1.0, 1.1, "colour steadiness: 10 % more flicker than frame by frame")]
    [InlineData(0.0, 0.0, "colour steadiness: the colours did not change from frame to frame")]
    public void Steadiness_SaysHowMuchLessTheColourFlickers(double raw, double output, string expected) =>
        Assert.Equal(expected, VideoText.Steadiness(raw, output));
}
