using System.Text.Json;
using Colorizer.Core.Colorization;
using Colorizer.Core.Tests.Colorization;
using Colorizer.Core.Video;
using Colorizer.Testing;

namespace Colorizer.Core.Tests.Video;

public sealed class ResumableVideoTests : IDisposable
{
    private const int Frames = 60;
    private static readonly VideoOptions Resumable = VideoOptions.Default with
    {
        Colorization = ColorizationOptions.Default with { RenderSize = 128 },
        Resumable = true,
        SegmentSeconds = 1,
    };

    private readonly TemporaryDirectory _work = new();
    private readonly TinyEngine _tiny = VideoTestModels.Smooth();

    public void Dispose()
    {
        _tiny.Dispose();
        _work.Dispose();
    }

    // A run of the clip stopped once two segments are finished.
    private async Task<(string Input, string Output)> InterruptedRunAsync()
    {
        string input = Clip(), output = _work.File("out/pan.mp4");
        await InterruptAfterAsync(new VideoColorizer(_tiny.Engine), input, output, Resumable, segments: 2);
        return (input, output);
    }

    private string Clip()
    {
        string input = _work.File("pan.avi");
        TestVideos.Write(input, Frames, 160, 96, 10, TestVideos.Panning(160, 96, 1, noise: 2));
        return input;
    }

    // Runs until the manifest records `segments` finished segments, then cancels.
    private static async Task InterruptAfterAsync(VideoColorizer colorizer, string input, string output, VideoOptions options, int segments)
    {
        using var cancel = new CancellationTokenSource();
        string manifest = Path.Combine(SegmentManifest.FolderFor(output), SegmentManifest.FileName);
        var watch = Task.Run(async () =>
        {
            while (!cancel.IsCancellationRequested)
            {
                if (Finished(manifest) >= segments)
                    await cancel.CancelAsync();
                await Task.Delay(2);
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => colorizer.ColorizeAsync(input, output, options, ct: cancel.Token));
        await watch;
    }

    private static int Finished(string manifest)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(manifest));
            return document.RootElement.GetProperty("Segments").GetArrayLength();
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return 0;
        }
    }

    [Fact]
    public async Task Interrupted_ThenRunAgain_KeepsTheFinishedSegments_AndWritesEveryFrame()
    {
        var (input, output) = await InterruptedRunAsync();
        Assert.False(File.Exists(output));
        Assert.True(Directory.Exists(SegmentManifest.FolderFor(output)));

        var result = await new VideoColorizer(_tiny.Engine).ColorizeAsync(input, output, Resumable);

        Assert.InRange(result.ResumedFrames, 20, Frames - 10);
        Assert.Equal(Frames, result.Frames);
        Assert.False(Directory.Exists(SegmentManifest.FolderFor(output)));
        var (frames, fps) = TestVideos.ReadAll(output);
        int count = frames.Count;
        frames.ForEach(f => f.Dispose());
        Assert.Equal(Frames, count);
        Assert.Equal(10, fps, 0.01);
    }

    [Fact]
    public async Task OtherOptions_StartAgain()
    {
        var (input, output) = await InterruptedRunAsync();

        var result = await new VideoColorizer(_tiny.Engine).ColorizeAsync(input, output,
            Resumable with { Colorization = Resumable.Colorization with { Saturation = 0.5 } });

        Assert.Equal(0, result.ResumedFrames);
        Assert.Equal(Frames, result.Frames);
    }

    [Fact]
    public async Task Segments_EachStartWithAKeyFrame()
    {
        string input = Clip();
        var result = await new VideoColorizer(_tiny.Engine).ColorizeAsync(input, _work.File("out/pan.mp4"),
            Resumable with { KeyFrameInterval = VideoOptions.MaxKeyFrameInterval });
        // Six segments of ten frames, a still-slow pan: only the segment starts ask for key frames.
        Assert.Equal(Frames / 10, result.KeyFrames);
    }

    [Fact]
    public void OutOfRangeSegmentLength_IsRefused()
    {
        var error = Assert.Throws<InvalidColorizationOptionException>(() => (Resumable with { SegmentSeconds = 0.5 }).Validate());
        Assert.Equal(nameof(VideoOptions.SegmentSeconds), error.OptionName);
    }
}
