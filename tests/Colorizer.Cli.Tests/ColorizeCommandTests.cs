using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.Video;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Cli.Tests;

public sealed class ColorizeCommandTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();
    private readonly string _models;
    private readonly string _inputs;
    private readonly string _output;

    public ColorizeCommandTests()
    {
        _models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.ConstantBin(150)).Directory;
        _inputs = Directory.CreateDirectory(_work.File("inputs")).FullName;
        _output = _work.File("out");
    }

    public void Dispose() => _work.Dispose();

    private void WriteImage(string relativePath, int width, int height)
    {
        string path = Path.Combine(_inputs, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = TestImages.Grey(width, height);
        File.WriteAllBytes(path, TestImages.Encode(image, Path.GetExtension(path)));
    }

    private static Size SizeOf(string path)
    {
        using var image = Cv2.ImRead(path, ImreadModes.Unchanged);
        return image.Size();
    }

    [Fact]
    public async Task Folder_WithOneBrokenFile_ColorizesTheRestReportsTheBrokenOneAndFails()
    {
        WriteImage("a.jpg", 64, 48);
        WriteImage("nested/b.png", 30, 70);
        WriteImage("nested/deeper/c.webp", 41, 41);
        using (var good = TestImages.Grey(50, 50))
        {
            byte[] jpeg = TestImages.Encode(good, ".jpg");
            File.WriteAllBytes(Path.Combine(_inputs, "broken.jpg"), jpeg[..(jpeg.Length / 3)]);
        }
        File.WriteAllText(Path.Combine(_inputs, "notes.png"), "this is text, not a picture");

        var run = await CliRun.ExecuteAsync("colorize", _inputs, "--output", _output, "--models", _models);

        Assert.Equal(1, run.ExitCode);
        // The output format follows the input's: JPEG stays JPEG, the others become PNG.
        Assert.Equal(new Size(64, 48), SizeOf(Path.Combine(_output, "a.jpg")));
        Assert.Equal(new Size(30, 70), SizeOf(Path.Combine(_output, "b.png")));
        Assert.Equal(new Size(41, 41), SizeOf(Path.Combine(_output, "c.png")));
        Assert.Equal(ImageFormat.Jpeg, ImageFormatDetector.Detect(File.ReadAllBytes(Path.Combine(_output, "a.jpg"))));
        Assert.Equal(ImageFormat.Png, ImageFormatDetector.Detect(File.ReadAllBytes(Path.Combine(_output, "c.png"))));
        Assert.False(File.Exists(Path.Combine(_output, "broken.png")));
        Assert.False(File.Exists(Path.Combine(_output, "broken.jpg")));
        Assert.False(File.Exists(Path.Combine(_output, "notes.png")));
        Assert.Contains("broken.jpg", run.Error);
        Assert.Contains("notes.png", run.Error);
        Assert.True(run.Error.Contains("supported formats", StringComparison.Ordinal), run.Error);
        Assert.Contains("[5/5]", run.Output + run.Error);
        Assert.Contains("Colorized 3 of 5", run.Output);
        Assert.Equal(3, Directory.GetFiles(_output, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task AJpegWithTooManyScans_IsThatFilesError_AndTheOthersAreColorized()
    {
        WriteImage("a.jpg", 64, 48);
        WriteImage("z.png", 30, 20);
        // 296 KB that took OpenCV 89 s to decode: refused before decoding, as a bad file is.
        File.WriteAllBytes(Path.Combine(_inputs, "scans.jpg"), HostileFiles.TooComplex["progressive JPEG of 12 MP with 10,001 scans"].Bytes);

        var run = await CliRun.ExecuteAsync("colorize", _inputs, "--output", _output, "--models", _models);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(new Size(64, 48), SizeOf(Path.Combine(_output, "a.jpg")));
        Assert.Equal(new Size(30, 20), SizeOf(Path.Combine(_output, "z.png")));
        Assert.False(File.Exists(Path.Combine(_output, "scans.jpg")));
        Assert.Contains("error: " + Path.Combine(_inputs, "scans.jpg") + ": The JPEG has 10,001 scans; at most 100 are accepted, because", run.Error);
        Assert.Contains("Colorized 2 of 3", run.Output);
    }

    [Theory]
    [InlineData("jpg", ImageFormat.Jpeg, ".jpg")]
    [InlineData("webp", ImageFormat.WebP, ".webp")]
    [InlineData("png", ImageFormat.Png, ".png")]
    public async Task Format_ChoosesTheOutputEncodingAndExtension(string format, ImageFormat expected, string extension)
    {
        WriteImage("photo.bmp", 33, 22);
        var run = await CliRun.ExecuteAsync("colorize", Path.Combine(_inputs, "photo.bmp"), "-o", _output, "--models", _models, "--format", format);
        Assert.Equal(0, run.ExitCode);
        string path = Path.Combine(_output, "photo" + extension);
        Assert.Equal(expected, ImageFormatDetector.Detect(File.ReadAllBytes(path)));
        Assert.Equal(new Size(33, 22), SizeOf(path));
    }

    [Fact]
    public async Task Options_ReachTheEngine()
    {
        WriteImage("photo.png", 40, 40);
        var plain = await CliRun.ExecuteAsync("colorize", Path.Combine(_inputs, "photo.png"), "-o", _work.File("plain"), "--models", _models);
        var grey = await CliRun.ExecuteAsync("colorize", Path.Combine(_inputs, "photo.png"), "-o", _work.File("grey"), "--models", _models, "--saturation", "0");
        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(0, grey.ExitCode);

        static double MeanChroma(string path)
        {
            using var image = Cv2.ImRead(path, ImreadModes.Color);
            using var lab = TestImages.ToLab(image);
            var mean = Cv2.Mean(lab);
            return Math.Abs(mean.Val1) + Math.Abs(mean.Val2);
        }

        Assert.True(MeanChroma(_work.File("plain/photo.png")) > 10);
        Assert.True(MeanChroma(_work.File("grey/photo.png")) < 1);
    }

    [Theory]
    [InlineData("--temperature", "0", "Temperature")]
    [InlineData("--saturation", "3", "Saturation")]
    [InlineData("--render-size", "100", "RenderSize")]
    [InlineData("--quality", "0", "Quality")]
    public async Task OutOfRangeOption_ExitsWithUsageErrorAndWritesNothing(string option, string value, string named)
    {
        WriteImage("photo.png", 20, 20);
        var run = await CliRun.ExecuteAsync("colorize", _inputs, "-o", _output, "--models", _models, option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(named, run.Error);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public async Task UnknownFormat_IsAUsageError()
    {
        WriteImage("photo.png", 20, 20);
        var run = await CliRun.ExecuteAsync("colorize", _inputs, "-o", _output, "--models", _models, "--format", "gif");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("gif", run.Error);
        Assert.False(Directory.Exists(_output) && Directory.EnumerateFileSystemEntries(_output).Any());
    }

    [Fact]
    public async Task MissingOutput_IsAUsageError()
    {
        WriteImage("photo.png", 20, 20);
        var run = await CliRun.ExecuteAsync("colorize", _inputs, "--models", _models);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--output", run.Error);
    }

    [Fact]
    public async Task SameNames_DoNotOverwriteEachOther()
    {
        WriteImage("a.jpg", 20, 20);
        WriteImage("a.png", 30, 30);
        var run = await CliRun.ExecuteAsync("colorize", _inputs, "-o", _output, "--models", _models, "--format", "png");
        Assert.Equal(0, run.ExitCode);
        var sizes = new[] { SizeOf(Path.Combine(_output, "a.png")), SizeOf(Path.Combine(_output, "a (2).png")) };
        Assert.Contains(new Size(20, 20), sizes);
        Assert.Contains(new Size(30, 30), sizes);
    }

    [Fact]
    public async Task DefaultFormat_FollowsTheInputsContent_NotItsName()
    {
        WriteImage("a.jpg", 20, 20);
        WriteImage("a.png", 30, 30);
        WriteImage("scan.tif", 24, 16);
        // A JPEG named .png is still a JPEG.
        using (var image = TestImages.Grey(18, 12))
            File.WriteAllBytes(Path.Combine(_inputs, "renamed.png"), TestImages.Encode(image, ".jpg"));
        var run = await CliRun.ExecuteAsync("colorize", _inputs, "-o", _output, "--models", _models);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(new Size(20, 20), SizeOf(Path.Combine(_output, "a.jpg")));
        Assert.Equal(new Size(30, 30), SizeOf(Path.Combine(_output, "a.png")));
        Assert.Equal(new Size(24, 16), SizeOf(Path.Combine(_output, "scan.tif")));
        Assert.Equal(ImageFormat.Tiff, ImageFormatDetector.Detect(File.ReadAllBytes(Path.Combine(_output, "scan.tif"))));
        Assert.Equal(ImageFormat.Jpeg, ImageFormatDetector.Detect(File.ReadAllBytes(Path.Combine(_output, "renamed.jpg"))));
        Assert.Equal(4, Directory.GetFiles(_output).Length);
    }

    [Fact]
    public async Task Folder_OfManyImages_GoesThroughThePipelineWithEveryOutputRightAndInOrder()
    {
        // Different sizes and content per image, so a mix-up between pipeline stages would show.
        int count = 7;
        for (int i = 0; i < count; i++)
        {
            using var image = TestImages.Gradient(40 + 9 * i, 30 + 5 * i, (byte)(10 * i), (byte)(120 + 15 * i));
            File.WriteAllBytes(Path.Combine(_inputs, $"p{i}.png"), TestImages.Encode(image, ".png"));
        }
        var run = await CliRun.ExecuteAsync("colorize", _inputs, "-o", _output, "--models", _models);
        Assert.Equal(0, run.ExitCode);

        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Each output is exactly what the engine makes of its own input, one at a time, outside the pipeline.
        using var engine = ColorizationEngine.Load(_models, backend: InferenceBackend.OpenCv);
        for (int i = 0; i < count; i++)
        {
            Assert.StartsWith($"[{i + 1}/{count}] ", lines[i]);
            Assert.Contains($"p{i}.png -> ", lines[i]);
            using var expected = await engine.ColorizeAsync(File.ReadAllBytes(Path.Combine(_inputs, $"p{i}.png")));
            using var rendered = expected.Render();
            using var written = Cv2.ImRead(Path.Combine(_output, $"p{i}.png"), ImreadModes.Unchanged);
            Assert.Equal(new Size(40 + 9 * i, 30 + 5 * i), written.Size());
            Assert.Equal(rendered.Type(), written.Type());
            Assert.Equal(0, Cv2.Norm(rendered, written, NormTypes.INF));
        }
        Assert.Contains($"Colorized {count} of {count}", run.Output);
        Assert.Equal(count, Directory.GetFiles(_output).Length);
    }

    [Fact]
    public async Task MissingInput_IsReportedAndFails()
    {
        WriteImage("a.jpg", 20, 20);
        var run = await CliRun.ExecuteAsync("colorize", Path.Combine(_inputs, "a.jpg"), Path.Combine(_inputs, "nope.jpg"), "-o", _output, "--models", _models);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nope.jpg: no such file or folder", run.Error);
        Assert.True(File.Exists(Path.Combine(_output, "a.jpg")));
    }

    [Fact]
    public async Task MissingWeightsOffline_SaysWhatToDownloadAndWhere()
    {
        WriteImage("a.jpg", 20, 20);
        File.Delete(Path.Combine(_models, "colorization_release_v2.caffemodel"));
        var run = await CliRun.ExecuteAsync("colorize", _inputs, "-o", _output, "--models", _models, "--offline");
        Assert.Equal(3, run.ExitCode);
        string weights = Path.Combine(_models, "colorization_release_v2.caffemodel");
        Assert.Contains(weights, run.Error);
        Assert.Contains("eecs.berkeley.edu", run.Error);
        Assert.Contains("128,946,764 bytes", run.Error);
        Assert.Contains("--offline", run.Error);
        Assert.Contains("point --models / COLORIZER_MODELS at a folder that holds it", run.Error);
        // A line to copy: download beside the target, check the release's hash, then move it into place.
        Assert.Contains(
            $"echo 'f5af1e602646328c792e1094f9876fe9cd4c09ac46fa886e5708a1abc89137b1  {weights}.download' | sha256sum -c && mv '{weights}.download' '{weights}'",
            run.Error);
        Assert.Single(run.Error.Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(_output));
    }

    [Fact]
    public async Task Cancellation_StopsWithoutLeavingPartialFiles()
    {
        for (int i = 0; i < 3; i++)
            WriteImage($"p{i}.png", 50, 50);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        // --offline: the run returns while the model still loads in the background; if that load outlives the test
        // and finds the weights already deleted by the cleanup, it must not start a download (a .partial file in the
        // folder being deleted, and traffic out of the test machine).
        var run = await CliRun.ExecuteAsync(cancelled.Token, "colorize", _inputs, "-o", _output, "--models", _models, "--offline");
        Assert.Equal(130, run.ExitCode);
        Assert.Empty(Directory.Exists(_output) ? Directory.GetFiles(_output) : []);
    }

    [Fact]
    public async Task CancellationMidRun_WithImagesInThePipeline_Exits130AndLeavesOnlyCompleteFiles()
    {
        for (int i = 0; i < 6; i++)
            WriteImage($"p{i}.png", 300, 200);
        using var cancelled = new CancellationTokenSource();
        // Ctrl+C right after the first result is reported: the next image is then in the network or waiting.
        var output = new CancellingWriter(cancelled);
        var error = new StringWriter();
        int code = await Colorizer.Cli.ColorizerCli.RunAsync(
            ["--backend", "opencv", "colorize", _inputs, "-o", _output, "--models", _models], output, error, cancelled.Token);
        Assert.Equal(130, code);
        Assert.Contains("Cancelled.", error.ToString());
        var written = Directory.GetFiles(_output);
        Assert.InRange(written.Length, 1, 5);
        foreach (var file in written)
        {
            Assert.DoesNotContain(".colorizer-tmp", file);
            Assert.Equal(new Size(300, 200), SizeOf(file));
        }
    }

    private sealed class CancellingWriter(CancellationTokenSource source) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            source.Cancel();
        }
    }

    [Fact]
    public async Task ModelsCommand_ChecksThatTheModelLoads()
    {
        var run = await CliRun.ExecuteAsync("models", "--models", _models);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(_models, run.Output);
        Assert.Contains("ready", run.Output);
    }

    [Fact]
    public async Task ModelsCommand_ReportsBrokenWeights()
    {
        File.WriteAllText(Path.Combine(_models, "colorization_release_v2.caffemodel"), "not a model");
        var run = await CliRun.ExecuteAsync("models", "--models", _models);
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("colorization_release_v2.caffemodel", run.Error);
    }
}

public sealed class ColorizeVideoCommandTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Video_IsRecognisedByExtension_AndWrittenAsMp4WithItsFramesSizeAndRate()
    {
        string models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.LightnessDependent(150, 30, 0.1f)).Directory;
        string clip = _work.File("clip.mp4");
        TestVideos.Write(clip, 36, 112, 80, 15, TestVideos.Panning(112, 80, 1, 3));
        string output = _work.File("out");

        var run = await CliRun.ExecuteAsync("colorize", clip, "--output", output, "--models", models, "--render-size", "128");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("36 frames, 112×80, 15 fps", run.Output);
        Assert.Matches(@"clip\.mp4: \d+/36 frames, [\d.]+ fps", run.Output);
        var (frames, fps) = TestVideos.ReadAll(Path.Combine(output, "clip.mp4"));
        try
        {
            Assert.Equal(36, frames.Count);
            Assert.Equal(new Size(112, 80), frames[0].Size());
            Assert.Equal(15, fps, 0.01);
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
        Assert.Single(Directory.GetFiles(output));
    }

    [Theory]
    [InlineData("on", 1, 36 / VideoOptions.DefaultKeyFrameInterval)]
    [InlineData("off", 13, 36)]
    public async Task KeyFrames_SetHowOftenTheNetworkRuns(string keyFrames, int fewest, int most)
    {
        string models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.LightnessDependent(150, 30, 0.1f)).Directory;
        string clip = _work.File("still.avi");
        // A still, grainy shot: the interval alone sets the key frames (near-identical frames may still reuse a pass).
        TestVideos.Write(clip, 36, 96, 64, 15, TestVideos.NoisyFlat(96, 64, 120, 3));

        var run = await CliRun.ExecuteAsync("colorize", clip, "--output", _work.File("out"), "--models", models, "--render-size", "128",
            "--key-frames", keyFrames);

        Assert.Equal(0, run.ExitCode);
        var passes = System.Text.RegularExpressions.Regex.Match(run.Output, @"36 frames, 96×64, 15 fps, (\d+) network passes");
        Assert.True(passes.Success, run.Output);
        Assert.InRange(int.Parse(passes.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), fewest, most);
    }

    [Theory]
    [InlineData("--key-frames", "sometimes", "sometimes")]
    [InlineData("--key-frame-interval", "0", "--key-frame-interval")]
    [InlineData("--key-frame-interval", "301", "--key-frame-interval")]
    public async Task BadKeyFrameOption_IsAUsageError(string option, string value, string named)
    {
        string models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.LightnessDependent(150, 30, 0.1f)).Directory;
        string clip = _work.File("clip.avi");
        TestVideos.Write(clip, 4, 64, 48, 15, TestVideos.NoisyFlat(64, 48, 120, 3));
        var run = await CliRun.ExecuteAsync("colorize", clip, "--output", _work.File("out"), "--models", models, option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(named, run.Error);
        Assert.False(Directory.Exists(_work.File("out")));
    }

    [Fact]
    public async Task BrokenVideo_IsReported_AndLeavesNothing()
    {
        string models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.ConstantBin(150)).Directory;
        string clip = _work.File("broken.mov");
        File.WriteAllText(clip, "not a video");
        string output = _work.File("out");
        var run = await CliRun.ExecuteAsync("colorize", clip, "--output", output, "--models", models);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("broken.mov", run.Error);
        Assert.Empty(Directory.GetFiles(output));
    }
}
