using System.Diagnostics;
using System.Text.Json;
using Colorizer.Core.IO;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Cli.Tests;

/// <summary>
/// A video colorized by the CLI as a process of its own, killed with SIGKILL, then run again with the same command:
/// it resumes from the finished segments and ends with the same file a run in one go gives.
/// </summary>
[Trait("Category", "Slow")]
public sealed class VideoResumeTests : IDisposable
{
    private const int Frames = 150, Width = 320, Height = 240;
    private const double Fps = 10;
    private readonly TemporaryDirectory _work = new();
    private readonly string _models;
    private readonly string _clip;

    public VideoResumeTests()
    {
        _models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.LightnessDependent(150, 30, 0.1f)).Directory;
        _clip = CliVideos.PanWithSound(_work, "clip.mkv", Frames, Width, Height, Fps);
    }

    public void Dispose() => _work.Dispose();

    private string[] Arguments(string output) =>
        ["colorize", _clip, "--output", output, "--models", _models, "--render-size", "128", "--segment-seconds", "1", "--key-frames", "off"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task KilledRun_IsResumedByTheSameCommand_AndEqualsARunInOneGo(bool midSegment)
    {
        var once = await CliRun.ExecuteAsync(Arguments(_work.File("once")));
        Assert.True(once.ExitCode == 0, once.Error);

        string output = _work.File("out");
        string segments = Path.Combine(output, ".clip.mp4.segments");
        await StartAndKillAsync(output, () => FinishedSegments(segments) >= 2 && (!midSegment || SegmentBeingWritten(segments)));
        Assert.False(File.Exists(Path.Combine(output, "clip.mp4")), "nothing may be under the final name before it is complete");
        int finished = FinishedSegments(segments);
        Assert.InRange(finished, 2, Frames / (int)Fps - 1);

        var rerun = await CliRun.ExecuteAsync(Arguments(output));

        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.Matches(@"resumed: \d+ frames were done", rerun.Output);
        Assert.False(Directory.Exists(segments), "the segments are deleted once joined");
        Assert.Single(Directory.GetFiles(output));
        AssertSameVideo(Path.Combine(_work.File("once"), "clip.mp4"), Path.Combine(output, "clip.mp4"));
    }

    [Fact]
    public async Task Restart_DiscardsWhatWasDone()
    {
        string output = _work.File("out");
        string segments = Path.Combine(output, ".clip.mp4.segments");
        await StartAndKillAsync(output, () => FinishedSegments(segments) >= 1);

        var rerun = await CliRun.ExecuteAsync([.. Arguments(output), "--restart"]);

        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.DoesNotContain("resumed", rerun.Output);
        var (frames, _) = TestVideos.ReadAll(Path.Combine(output, "clip.mp4"));
        int count = frames.Count;
        frames.ForEach(f => f.Dispose());
        Assert.Equal(Frames, count);
    }

    // Starts the CLI on the clip and kills it with SIGKILL as soon as `when` holds.
    private async Task StartAndKillAsync(string output, Func<bool> when)
    {
        using (var process = CliProcess.Start(Arguments(output)))
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            var deadline = Stopwatch.StartNew();
            while (!when())
            {
                Assert.False(process.HasExited, "the run ended before it could be killed");
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(120), "no segment was finished in two minutes");
                await Task.Delay(5);
            }
            process.Kill(); // SIGKILL on Linux
            await process.WaitForExitAsync();
        }
        // The encoder of the killed run may still be finishing its own temporary file.
        await Task.Delay(500);
    }

    private static int FinishedSegments(string folder)
    {
        string manifest = Path.Combine(folder, "manifest.json");
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

    private static bool SegmentBeingWritten(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*" + AtomicFile.TemporaryMarker).Any(f => new FileInfo(f).Length > 0);

    private static void AssertSameVideo(string expected, string actual)
    {
        var (a, fpsA) = TestVideos.ReadAll(expected);
        var (b, fpsB) = TestVideos.ReadAll(actual);
        try
        {
            Assert.Equal(Frames, a.Count);
            Assert.Equal(a.Count, b.Count);
            Assert.Equal(a[0].Size(), b[^1].Size());
            Assert.Equal(new Size(Width, Height), b[0].Size());
            Assert.Equal(fpsA, fpsB, 0.01);
        }
        finally
        {
            a.ForEach(f => f.Dispose());
            b.ForEach(f => f.Dispose());
        }
        Assert.Equal(1, TestVideos.AudioStreams(actual));
        Assert.Equal(CliVideos.Duration(expected), CliVideos.Duration(actual), 0.15);
    }
}
