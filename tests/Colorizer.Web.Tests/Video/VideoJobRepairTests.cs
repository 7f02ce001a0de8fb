using Colorizer.Core.Colorization;
using Colorizer.Core.Restoration;
using Colorizer.Testing;
using Colorizer.Web.Video;
using OpenCvSharp;

namespace Colorizer.Web.Tests.Video;

/// <summary>The repairs a web video job asks for are made to every frame's lightness before it is colorized.</summary>
public sealed class VideoJobRepairTests
{
    [Fact]
    public async Task DustRepair_AskedForAJob_LiftsEveryFramesLightnessTowardsTheCleanOne()
    {
        await using var harness = await VideoJobHarness.StartAsync();
        const int width = 192, height = 144, frames = 8;
        using var clean = DamagedPhotos.Clean(width, height);
        string input = harness.Work.File("dusty.avi");
        TestVideos.Write(input, frames, width, height, 24, i => DamagedPhotos.WithSpecks(clean, 60, seed: 10 + i));

        async Task<double[]> PsnrOfEachFrame(RestorationSteps steps)
        {
            await using var stream = File.OpenRead(input);
            var settings = new VideoJobSettings(ColorizationOptions.Default with { Restoration = new RestorationOptions { Steps = steps } });
            var job = await harness.Service.CreateAsync("dusty.avi", stream, settings);
            var done = await harness.WaitForEndAsync(job.Id, seconds: 120);
            Assert.Equal(VideoJobState.Done, done.State);
            Assert.Equal(steps, done.Settings.Colorization.Restoration.Steps);
            var (result, _) = TestVideos.ReadAll(harness.Service.GetFile(job.Id, VideoFileKind.Result)!.Value.Path);
            try
            {
                Assert.Equal(frames, result.Count);
                return result.Select(frame =>
                {
                    using var grey = new Mat();
                    Cv2.CvtColor(frame, grey, ColorConversionCodes.BGR2GRAY);
                    return TestImages.Psnr(clean, grey);
                }).ToArray();
            }
            finally
            {
                result.ForEach(f => f.Dispose());
            }
        }

        var asIs = await PsnrOfEachFrame(RestorationSteps.None);
        var repaired = await PsnrOfEachFrame(RestorationSteps.Dust);

        // Each frame has specks of its own, so each must be repaired on its own (not once for the video).
        for (int i = 0; i < frames; i++)
            Assert.True(repaired[i] > asIs[i] + 3, $"frame {i}: {repaired[i]:0.0} dB repaired, {asIs[i]:0.0} dB as is");
    }
}
