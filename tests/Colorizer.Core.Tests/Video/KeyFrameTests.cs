using Colorizer.Core.Colorization;
using Colorizer.Core.Tests.Colorization;
using Colorizer.Core.Video;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Video;

public sealed class KeyFrameTests : IDisposable
{
    private static readonly VideoOptions Small = VideoOptions.Default with
    {
        Colorization = ColorizationOptions.Default with { RenderSize = 128 },
        SkipThreshold = 0,
    };

    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private static TinyEngine SmoothModel() => VideoTestModels.Smooth();

    [Fact]
    public async Task Pan_CarriesColorCloseToEveryFrame_WithFewerPasses()
    {
        using var tiny = SmoothModel();
        string input = _work.File("pan.avi");
        TestVideos.Write(input, 48, 160, 96, 25, TestVideos.Panning(160, 96, 1, noise: 2));

        var everyFrame = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("every.mp4"),
            Small with { KeyFrames = false, Stabilize = false });
        var keyed = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("keyed.mp4"),
            Small with { Stabilize = false });

        Assert.Equal(48, everyFrame.ForwardPasses);
        Assert.Equal(48, keyed.Frames);
        Assert.True(keyed.ForwardPasses <= 48 / 4, $"{keyed.ForwardPasses} passes for 48 frames");
        Assert.Equal(keyed.ForwardPasses, keyed.KeyFrames);
        var (mean, worst) = ChromaDifference(_work.File("every.mp4"), _work.File("keyed.mp4"));
        Assert.True(mean < 2.0, $"mean ab difference against every frame {mean:0.00}");
        Assert.True(worst < 4.0, $"worst frame's ab difference against every frame {worst:0.00}");
    }

    [Fact]
    public async Task Pan_KeepsEachFramesOwnLightness()
    {
        using var tiny = SmoothModel();
        string input = _work.File("pan.avi");
        TestVideos.Write(input, 20, 160, 96, 25, TestVideos.Panning(160, 96, 1, noise: 2));
        await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("keyed.mp4"), Small);

        var (originals, _) = TestVideos.ReadAll(input);
        var (written, _) = TestVideos.ReadAll(_work.File("keyed.mp4"));
        try
        {
            Assert.Equal(originals.Count, written.Count);
            // The encoders' own loss, measured on the first frame (a key frame), bounds every other frame's.
            double keyFrameLoss = double.NaN;
            for (int i = 0; i < written.Count; i++)
            {
                using var before = TestImages.ToLab(originals[i]);
                using var after = TestImages.ToLab(written[i]);
                using var lightnessBefore = new Mat();
                using var lightnessAfter = new Mat();
                Cv2.ExtractChannel(before, lightnessBefore, 0);
                Cv2.ExtractChannel(after, lightnessAfter, 0);
                using var difference = new Mat();
                Cv2.Absdiff(lightnessBefore, lightnessAfter, difference);
                double lightness = Cv2.Mean(difference).Val0;
                if (i == 0)
                    keyFrameLoss = lightness;
                Assert.True(lightness < 3 && lightness <= keyFrameLoss + 0.5, $"frame {i}: mean |ΔL| {lightness:0.00}, first frame {keyFrameLoss:0.00}");
            }
        }
        finally
        {
            originals.ForEach(f => f.Dispose());
            written.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task StaticShot_HasAKeyFrameEveryInterval()
    {
        using var tiny = SmoothModel();
        string input = _work.File("still.avi");
        TestVideos.Write(input, 20, 128, 96, 25, TestVideos.NoisyFlat(128, 96, 150, noise: 2));
        var result = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("still.mp4"), Small with { KeyFrameInterval = 5 });
        Assert.Equal(20, result.Frames);
        Assert.Equal(4, result.KeyFrames);
        Assert.Equal(4, result.ForwardPasses);
    }

    [Fact]
    public async Task Cut_ForcesAKeyFrame()
    {
        using var tiny = SmoothModel();
        string input = _work.File("cut.avi");
        // A bright (orange) shot, then a dark (blue) one; the interval alone would never ask for a second key frame.
        TestVideos.Write(input, 24, 96, 64, 24, TestVideos.Cut(TestVideos.NoisyFlat(96, 64, 225, 2), TestVideos.NoisyFlat(96, 64, 40, 2), 13));
        string output = _work.File("cut.mp4");
        var result = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, output, Small with { KeyFrameInterval = VideoOptions.MaxKeyFrameInterval });
        Assert.Equal(1, result.SceneCuts);
        Assert.Equal(2, result.KeyFrames);

        var (frames, _) = TestVideos.ReadAll(output);
        try
        {
            using var before = TestImages.ToLab(frames[12]);
            using var after = TestImages.ToLab(frames[13]);
            Assert.True(Cv2.Mean(before).Val2 > 10, $"b* before the cut {Cv2.Mean(before).Val2:0.0}");
            Assert.True(Cv2.Mean(after).Val2 < -10, $"b* after the cut {Cv2.Mean(after).Val2:0.0}: the bright shot's colour was carried over");
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task FastMotion_AsksForKeyFramesSooner()
    {
        using var tiny = SmoothModel();
        string input = _work.File("fast.avi");
        TestVideos.Write(input, 24, 160, 96, 25, TestVideos.Panning(160, 96, 8, noise: 2));
        var result = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("fast.mp4"), Small with { KeyFrameInterval = 100 });
        Assert.True(result.KeyFrames >= 6, $"{result.KeyFrames} key frames for a fast pan");
        Assert.True(result.KeyFrames < 24, "the pan should still be followed between key frames");
    }

    [Fact]
    public async Task KeyFramesOff_RunsTheNetworkOnEveryFrame()
    {
        using var tiny = SmoothModel();
        string input = _work.File("pan.avi");
        TestVideos.Write(input, 16, 96, 64, 25, TestVideos.Panning(96, 64, 1, noise: 2));
        var result = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("pan.mp4"), Small with { KeyFrames = false });
        Assert.Equal(16, result.ForwardPasses);
        Assert.Equal(16, result.KeyFrames);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(301)]
    public void OutOfRangeInterval_IsRefused(int interval)
    {
        var error = Assert.Throws<InvalidColorizationOptionException>(() => (VideoOptions.Default with { KeyFrameInterval = interval }).Validate());
        Assert.Equal(nameof(VideoOptions.KeyFrameInterval), error.OptionName);
    }

    // Mean over frames, and the largest, of each frame's mean ab distance between two videos.
    private static (double Mean, double Worst) ChromaDifference(string first, string second)
    {
        var (a, _) = TestVideos.ReadAll(first);
        var (b, _) = TestVideos.ReadAll(second);
        try
        {
            Assert.Equal(a.Count, b.Count);
            var perFrame = new List<double>();
            for (int i = 0; i < a.Count; i++)
            {
                using var labA = TestImages.ToLab(a[i]);
                using var labB = TestImages.ToLab(b[i]);
                using var difference = new Mat();
                Cv2.Subtract(labA, labB, difference);
                var channels = difference.Split();
                using var distance = new Mat();
                Cv2.Magnitude(channels[1], channels[2], distance);
                perFrame.Add(Cv2.Mean(distance).Val0);
                foreach (var channel in channels)
                    channel.Dispose();
            }
            return (perFrame.Average(), perFrame.Max());
        }
        finally
        {
            a.ForEach(f => f.Dispose());
            b.ForEach(f => f.Dispose());
        }
    }
}
