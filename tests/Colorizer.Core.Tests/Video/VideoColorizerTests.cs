using Colorizer.Core.Colorization;
using Colorizer.Core.Tests.Colorization;
using Colorizer.Core.Video;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Video;

public sealed class VideoColorizerTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private static TinyEngine SensitiveModel() => VideoTestModels.Sensitive();

    private static double MeanChroma(Mat bgr)
    {
        using var lab = TestImages.ToLab(bgr);
        using var absolute = new Mat();
        Cv2.Absdiff(lab, Scalar.All(0), absolute);
        var mean = Cv2.Mean(absolute);
        return mean.Val1 + mean.Val2;
    }

    [Theory]
    [InlineData(".avi", 48, 160, 120, 24.0)]
    [InlineData(".mp4", 30, 96, 64, 12.5)]
    public async Task Output_KeepsFrameCountSizeAndRate_AndHasColor(string extension, int frames, int width, int height, double fps)
    {
        using var tiny = SensitiveModel();
        string input = _work.File("clip" + extension);
        TestVideos.Write(input, frames, width, height, fps, TestVideos.Panning(width, height, 1, noise: 3));
        string output = _work.File("out/clip.mp4");

        var result = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, output,
            VideoOptions.Default with { Colorization = ColorizationOptions.Default with { RenderSize = 128 } });

        var (written, writtenFps) = TestVideos.ReadAll(output);
        try
        {
            Assert.Equal(frames, result.Frames);
            Assert.Equal(frames, written.Count);
            Assert.All(written, f => Assert.Equal(new Size(width, height), f.Size()));
            Assert.Equal(fps, writtenFps, 0.01);
            Assert.True(MeanChroma(written[frames / 2]) > 10, "the frames should be in colour");
            Assert.True(result.ForwardPasses <= frames);
        }
        finally
        {
            written.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task Stabilization_LowersFlicker_OnAStaticGrainyShot()
    {
        using var tiny = SensitiveModel();
        string input = _work.File("static.avi");
        TestVideos.Write(input, 30, 128, 96, 25, TestVideos.NoisyFlat(128, 96, 119, noise: 6));
        // The network on every frame: this is about the blend, not about key frames.
        var options = VideoOptions.Default with { Colorization = ColorizationOptions.Default with { RenderSize = 128 }, SkipThreshold = 0, KeyFrames = false };

        var steady = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("steady.mp4"), options);
        var raw = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("raw.mp4"), options with { Stabilize = false });

        Assert.True(raw.OutputFlicker > 1, $"the test needs visible flicker without stabilization; got {raw.OutputFlicker:0.00}");
        Assert.Equal(raw.RawFlicker, raw.OutputFlicker, 6);
        Assert.True(steady.OutputFlicker < 0.5 * raw.OutputFlicker,
            $"flicker with stabilization {steady.OutputFlicker:0.00} should be under half of {raw.OutputFlicker:0.00} without");
        Assert.Equal(0, steady.SceneCuts);
    }

    [Fact]
    public async Task Stabilization_LowersFlicker_OnASlowPan()
    {
        using var tiny = SensitiveModel();
        string input = _work.File("pan.avi");
        TestVideos.Write(input, 30, 160, 96, 25, TestVideos.Panning(160, 96, 0.5, noise: 6));
        // The network on every frame: this is about the blend, not about key frames.
        var options = VideoOptions.Default with { Colorization = ColorizationOptions.Default with { RenderSize = 128 }, SkipThreshold = 0, KeyFrames = false };
        var steady = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("steady.mp4"), options);
        var raw = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("raw.mp4"), options with { Stabilize = false });
        Assert.True(steady.OutputFlicker < 0.7 * raw.OutputFlicker, $"{steady.OutputFlicker:0.00} vs {raw.OutputFlicker:0.00}");
    }

    [Fact]
    public async Task SceneCut_ResetsTheStabilization()
    {
        using var tiny = SensitiveModel();
        string input = _work.File("cut.avi");
        // A bright (orange) shot, then a dark (blue) one.
        TestVideos.Write(input, 24, 96, 64, 24, TestVideos.Cut(TestVideos.NoisyFlat(96, 64, 225, 2), TestVideos.NoisyFlat(96, 64, 40, 2), 12));
        string output = _work.File("cut.mp4");
        var result = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, output,
            VideoOptions.Default with { Colorization = ColorizationOptions.Default with { RenderSize = 128 } });
        Assert.Equal(1, result.SceneCuts);

        var (frames, _) = TestVideos.ReadAll(output);
        try
        {
            // The first frame after the cut is already fully blue, not a blend with the orange before it.
            using var lab = TestImages.ToLab(frames[12]);
            double b = Cv2.Mean(lab).Val2;
            Assert.True(b < -20, $"b* after the cut is {b:0.0}; a blend with the orange shot would be well above that");
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task NearIdenticalFrames_ReuseThePrediction()
    {
        using var tiny = SensitiveModel();
        string input = _work.File("still.avi");
        TestVideos.Write(input, 20, 96, 64, 20, TestVideos.NoisyFlat(96, 64, 150, noise: 0));
        long before = tiny.Engine.ForwardPassCount;
        var result = await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("still.mp4"),
            VideoOptions.Default with { Colorization = ColorizationOptions.Default with { RenderSize = 128 } });
        Assert.Equal(20, result.Frames);
        Assert.Equal(1, result.ForwardPasses);
        Assert.Equal(1, tiny.Engine.ForwardPassCount - before);
    }

    [Fact]
    public async Task Audio_IsKept_WhenFfmpegIsThere()
    {
        using var tiny = SensitiveModel();
        string silent = _work.File("silent.avi");
        TestVideos.Write(silent, 24, 96, 64, 24, TestVideos.Panning(96, 64, 1, 2));
        string withAudio = _work.File("talk.mkv");
        TestVideos.Ffmpeg("-i", silent, "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", withAudio);

        string output = _work.File("talk.mp4");
        var result = await new VideoColorizer(tiny.Engine).ColorizeAsync(withAudio, output,
            VideoOptions.Default with { Colorization = ColorizationOptions.Default with { RenderSize = 128 } });
        Assert.True(result.AudioKept);
        Assert.Null(result.Warning);
        Assert.Equal(1, TestVideos.AudioStreams(output));
        Assert.Equal(0, TestVideos.AudioStreams(silent));
    }

    [Fact]
    public async Task BrokenVideo_IsRefused_AndLeavesNoOutput()
    {
        using var tiny = SensitiveModel();
        string input = _work.File("broken.mp4");
        var garbage = new byte[50_000];
        new Random(3).NextBytes(garbage);
        File.WriteAllBytes(input, garbage);
        string output = _work.File("out/broken.mp4");
        await Assert.ThrowsAsync<InvalidVideoException>(() => new VideoColorizer(tiny.Engine).ColorizeAsync(input, output));
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.Exists(_work.File("out")) ? Directory.GetFiles(_work.File("out")) : []);
    }

    [Theory]
    [InlineData(".avi")]
    [InlineData(".mp4")]
    public async Task TruncatedVideo_IsRefused_AndLeavesNoOutput(string extension)
    {
        using var tiny = SensitiveModel();
        string whole = _work.File("whole" + extension);
        TestVideos.Write(whole, 40, 96, 64, 20, TestVideos.Panning(96, 64, 1, 2));
        byte[] bytes = File.ReadAllBytes(whole);
        string input = _work.File("cut" + extension);
        File.WriteAllBytes(input, bytes[..(bytes.Length / 2)]);
        string output = _work.File("out/cut.mp4");
        var error = await Assert.ThrowsAsync<InvalidVideoException>(() => new VideoColorizer(tiny.Engine).ColorizeAsync(input, output,
            VideoOptions.Default with { Colorization = ColorizationOptions.Default with { RenderSize = 128 } }));
        Assert.Contains("cut" + extension, error.Message);
        Assert.Empty(Directory.Exists(_work.File("out")) ? Directory.GetFiles(_work.File("out")) : []);
    }

    [Fact]
    public async Task Cancellation_LeavesNoFileUnderTheFinalName()
    {
        using var tiny = SensitiveModel();
        string input = _work.File("long.avi");
        TestVideos.Write(input, 60, 96, 64, 20, TestVideos.Panning(96, 64, 1, 2));
        string output = _work.File("out/long.mp4");
        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress(p =>
        {
            if (p.FramesDone >= 5)
                cancel.Cancel();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new VideoColorizer(tiny.Engine).ColorizeAsync(input, output,
            VideoOptions.Default with { Colorization = ColorizationOptions.Default with { RenderSize = 128 } }, progress, cancel.Token));
        Assert.Empty(Directory.GetFiles(_work.File("out")));
    }

    [Fact]
    public async Task Progress_CountsFramesUpToTheTotal()
    {
        using var tiny = SensitiveModel();
        string input = _work.File("p.avi");
        TestVideos.Write(input, 20, 64, 48, 20, TestVideos.Panning(64, 48, 1, 2));
        var reports = new List<VideoProgress>();
        await new VideoColorizer(tiny.Engine).ColorizeAsync(input, _work.File("p.mp4"),
            VideoOptions.Default with { Colorization = ColorizationOptions.Default with { RenderSize = 128 } }, new InlineProgress(reports.Add));
        Assert.NotEmpty(reports);
        Assert.Equal(20, reports[^1].FramesDone);
        Assert.Equal(20, reports[^1].TotalFrames);
        Assert.True(reports[^1].FramesPerSecond > 0);
        // No time left is guessed from the start-up frames alone.
        Assert.All(reports.Where(r => r.FramesDone < 13), r => Assert.Null(r.Remaining));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    public void OutOfRangeStabilization_IsRefused(double weight)
    {
        var error = Assert.Throws<InvalidColorizationOptionException>(() => (VideoOptions.Default with { NewFrameWeight = weight }).Validate());
        Assert.Equal(nameof(VideoOptions.NewFrameWeight), error.OptionName);
    }

    private sealed class InlineProgress(Action<VideoProgress> report) : IProgress<VideoProgress>
    {
        public void Report(VideoProgress value) => report(value);
    }
}
