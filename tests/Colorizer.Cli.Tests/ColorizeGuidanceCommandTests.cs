using Colorizer.Core.Guidance;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Cli.Tests;

/// <summary><c>colorize --hints / --reference / --transfer</c> and hints sidecar files, with a tiny model that paints one colour everywhere.</summary>
public sealed class ColorizeGuidanceCommandTests : IDisposable
{
    private const int Width = 160;
    private const int Height = 120;

    private static readonly LabColor Blue = LabColor.FromHex("#3050c8");
    private static readonly string BlueHint = $$"""[{"x": {{Width / 4}}, "y": {{Height / 2}}, "radius": 6, "color": "#3050c8"}]""";

    private static readonly Rect Left = new(10, 10, Width / 2 - 20, Height - 20);
    private static readonly Rect Right = new(Width / 2 + 10, 10, Width / 2 - 20, Height - 20);

    private readonly TemporaryDirectory _work = new();
    private readonly string _models;
    private readonly string _inputs;
    private readonly string _output;

    public ColorizeGuidanceCommandTests()
    {
        // The model's orange (20, 30), far from the hint's blue.
        _models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.ConstantBin(SyntheticModels.BinAt(20, 30))).Directory;
        _inputs = Directory.CreateDirectory(_work.File("inputs")).FullName;
        _output = _work.File("out");
    }

    public void Dispose() => _work.Dispose();

    private string WriteTwoRegions(string name)
    {
        string path = Path.Combine(_inputs, name);
        using var image = TestImages.TwoRegions(Width, Height, 90, 170);
        File.WriteAllBytes(path, TestImages.Encode(image, Path.GetExtension(path)));
        return path;
    }

    private string WriteText(string name, string text)
    {
        string path = Path.Combine(_inputs, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string WriteSolid(string name, Scalar bgr)
    {
        string path = _work.File(name);
        using var image = new Mat(90, 120, MatType.CV_8UC3, bgr);
        File.WriteAllBytes(path, TestImages.Encode(image, Path.GetExtension(path)));
        return path;
    }

    private static (double L, double A, double B) MeanLab(string path, Rect? region = null)
    {
        using var image = Cv2.ImRead(path, ImreadModes.Color);
        return TestImages.MeanLab(image, region ?? new Rect(0, 0, image.Width, image.Height));
    }

    private static double Distance((double L, double A, double B) mean, double a, double b) =>
        Math.Sqrt((mean.A - a) * (mean.A - a) + (mean.B - b) * (mean.B - b));

    private Task<CliRun> ColorizeAsync(string output, params string[] more) =>
        CliRun.ExecuteAsync(["colorize", .. more, "-o", output, "--models", _models]);

    [Fact]
    public async Task HintsFile_ColorsTheHintedRegion_AndNotAcrossTheEdge()
    {
        string photo = WriteTwoRegions("photo.png");
        string hints = WriteText("blue.json", BlueHint);

        var plain = await ColorizeAsync(_work.File("plain"), photo);
        var hinted = await ColorizeAsync(_output, photo, "--hints", hints);

        Assert.Equal(0, plain.ExitCode);
        Assert.True(hinted.ExitCode == 0, hinted.Error);
        Assert.Contains("1 hint from", hinted.Output);
        string plainPath = _work.File("plain/photo.png"), hintedPath = Path.Combine(_output, "photo.png");
        var before = MeanLab(plainPath, Left);
        var after = MeanLab(hintedPath, Left);
        Assert.True(Distance(after, Blue.A, Blue.B) < 0.25 * Distance(before, Blue.A, Blue.B),
            $"left ab ({after.A:0.0}, {after.B:0.0}) should be near the hint's ({Blue.A:0.0}, {Blue.B:0.0}), was ({before.A:0.0}, {before.B:0.0})");
        var rightBefore = MeanLab(plainPath, Right);
        var rightAfter = MeanLab(hintedPath, Right);
        Assert.InRange(rightAfter.A - rightBefore.A, -2.0, 2.0);
        Assert.InRange(rightAfter.B - rightBefore.B, -2.0, 2.0);
    }

    [Fact]
    public async Task SidecarHints_ArePickedUpForTheirImageOnly()
    {
        WriteTwoRegions("hinted.png");
        WriteText("hinted" + HintsFiles.SidecarSuffix, BlueHint);
        WriteTwoRegions("plain.png");

        var run = await ColorizeAsync(_output, _inputs);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("hinted.hints.json", run.Output);
        var hinted = MeanLab(Path.Combine(_output, "hinted.png"), Left);
        var plain = MeanLab(Path.Combine(_output, "plain.png"), Left);
        Assert.True(Distance(hinted, Blue.A, Blue.B) < 15, $"hinted left ab ({hinted.A:0.0}, {hinted.B:0.0})");
        Assert.True(Distance(plain, Blue.A, Blue.B) > 60, $"plain left ab ({plain.A:0.0}, {plain.B:0.0})");
        // The sidecar is not taken for an image of its own.
        Assert.Equal(2, Directory.GetFiles(_output).Length);
    }

    [Fact]
    public async Task HintsOption_WithMoreThanOneImage_IsAUsageError()
    {
        WriteTwoRegions("a.png");
        WriteTwoRegions("b.png");
        string hints = _work.File("hints.json");
        File.WriteAllText(hints, BlueHint);

        var run = await ColorizeAsync(_output, _inputs, "--hints", hints);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("exactly one input image", run.Error);
        Assert.Contains(HintsFiles.SidecarSuffix, run.Error);
        Assert.False(Directory.Exists(_output));
    }

    [Theory]
    [InlineData("""[{"x": 10, "y": 10, "color": "#c0392b" """, "not valid")]
    [InlineData("""[{"x": 10, "y": 10, "color": "crimson"}]""", "#rrggbb")]
    [InlineData("""[{"x": 10, "y": 10, "lab": [50, 0, 200]}]""", "b* must be between")]
    public async Task InvalidHintsFile_ExitsWithAUsageErrorNamingTheFileAndTheProblem_AndWritesNothing(string json, string problem)
    {
        string photo = WriteTwoRegions("photo.png");
        string hints = _work.File("bad hints.json");
        File.WriteAllText(hints, json);

        var run = await ColorizeAsync(_output, photo, "--hints", hints);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(hints, run.Error);
        Assert.Contains(problem, run.Error);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public async Task MissingHintsFile_ExitsWithAUsageError_AndWritesNothing()
    {
        string photo = WriteTwoRegions("photo.png");
        string hints = _work.File("nowhere.json");

        var run = await ColorizeAsync(_output, photo, "--hints", hints);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{hints}: no such hints file", run.Error);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public async Task HintOutsideTheImage_ExitsWithAUsageErrorNamingTheImageSize_AndWritesNoOutput()
    {
        string photo = WriteTwoRegions("photo.png");
        string hints = WriteText("far.json", $$"""[{"x": {{Width + 10}}, "y": 5, "color": "#3050c8"}]""");

        var run = await ColorizeAsync(_output, photo, "--hints", hints);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(hints, run.Error);
        Assert.Contains($"outside the {Width}×{Height} image", run.Error);
        Assert.False(File.Exists(Path.Combine(_output, "photo.png")));
    }

    [Fact]
    public async Task InvalidSidecar_StopsTheRunBeforeAnythingIsWritten()
    {
        WriteTwoRegions("a.png");
        WriteTwoRegions("b.png");
        string sidecar = WriteText("b" + HintsFiles.SidecarSuffix, "this is not json");

        var run = await ColorizeAsync(_output, _inputs);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(sidecar, run.Error);
        Assert.Contains("not valid", run.Error);
        Assert.False(Directory.Exists(_output));
    }

    [Theory]
    [InlineData("bands")]
    [InlineData("global")]
    public async Task Reference_MovesTheMeanColorToTheReferences(string transfer)
    {
        WriteTwoRegions("a.png");
        WriteTwoRegions("b.jpg");
        // The JPEG input gives a JPEG result (the output format follows the input).
        string reference = WriteSolid("beach.png", new Scalar(170, 130, 40));
        var target = MeanLab(reference);

        var run = await ColorizeAsync(_output, _inputs, "--reference", reference, "--transfer", transfer);

        Assert.True(run.ExitCode == 0, run.Error);
        foreach (var name in new[] { "a.png", "b.jpg" })
        {
            var mean = MeanLab(Path.Combine(_output, name));
            Assert.True(Distance(mean, target.A, target.B) < 4,
                $"{name}: ab ({mean.A:0.0}, {mean.B:0.0}), reference ({target.A:0.0}, {target.B:0.0})");
        }
    }

    [Fact]
    public async Task GreyReference_IsAUsageError()
    {
        string photo = WriteTwoRegions("photo.png");
        string reference = _work.File("grey.png");
        using (var grey = TestImages.Grey(80, 60))
            File.WriteAllBytes(reference, TestImages.Encode(grey, ".png"));

        var run = await ColorizeAsync(_output, photo, "--reference", reference);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(reference, run.Error);
        Assert.Contains("no colour", run.Error);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public async Task MissingReference_IsAUsageError()
    {
        string photo = WriteTwoRegions("photo.png");

        var run = await ColorizeAsync(_output, photo, "--reference", _work.File("nope.jpg"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nope.jpg", run.Error);
        Assert.Contains("no such file", run.Error);
    }

    [Fact]
    public async Task UnknownTransfer_IsAParseError()
    {
        string photo = WriteTwoRegions("photo.png");

        var run = await ColorizeAsync(_output, photo, "--transfer", "foo");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("foo", run.Error);
    }
}
