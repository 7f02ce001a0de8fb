using Colorizer.Core.Models.Catalogue;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Cli.Tests;

/// <summary>
/// <c>--model</c> and <c>--model-size</c> on <c>colorize</c>, and <c>models</c> listing and fetching, over generated
/// tiny DDColor- and DeOldify-type files (not the real networks) and the tiny 2016-type model.
/// </summary>
public sealed class ModelOptionTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();
    private readonly string _models;
    private readonly string _input;
    private readonly string _output;

    public ModelOptionTests()
    {
        _models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.ConstantBin(150)).Directory;
        TinyOnnxModels.WriteTo(_models, ModelCatalogue.Get("ddcolor"), TinyOnnxModels.ConstantAb(30, -20));
        TinyOnnxModels.WriteTo(_models, ModelCatalogue.Get("deoldify-stable"), TinyOnnxModels.ConstantRgb(200, 120, 60, fixedSize: 192));
        _input = _work.File("photo.png");
        using var grey = TestImages.Flat(120, 80, 140);
        File.WriteAllBytes(_input, TestImages.Encode(grey, ".png"));
        _output = _work.File("out");
    }

    public void Dispose() => _work.Dispose();

    private static (double A, double B) MeanAb(string path)
    {
        using var image = Cv2.ImRead(path, ImreadModes.Color);
        var mean = TestImages.MeanLab(image, new Rect(0, 0, image.Width, image.Height));
        return (mean.A, mean.B);
    }

    [Fact]
    public async Task ModelDDColor_ColorsWithThatModelsChroma()
    {
        var run = await CliRun.ExecuteAsync("colorize", _input, "--output", _output, "--models", _models, "--offline", "--model", "ddcolor", "--model-size", "384");

        Assert.Equal(0, run.ExitCode);
        var (a, b) = MeanAb(Path.Combine(_output, "photo.png"));
        Assert.Equal(30, a, 1.0);
        Assert.Equal(-20, b, 1.0);
    }

    [Fact]
    public async Task ModelDeOldify_WithAFixedSizeFile_Runs()
    {
        var run = await CliRun.ExecuteAsync("colorize", _input, "--output", _output, "--models", _models, "--offline", "--model", "deoldify-stable");

        Assert.Equal(0, run.ExitCode);
        var (a, b) = MeanAb(Path.Combine(_output, "photo.png"));
        Assert.True(a > 15 && b > 35, $"expected the orange's chroma, got ({a:0.#}, {b:0.#})");
    }

    [Theory]
    [InlineData("'ddcolour' not recognized", "--model", "ddcolour")]
    [InlineData("--model-size: The ddcolor model runs at 192, 256, 384 or 512; got 300.", "--model-size", "300", "--model", "ddcolor")]
    [InlineData("--model-size applies to the DDColor and DeOldify models; eccv16 takes --render-size.", "--model-size", "256")]
    [InlineData("--render-size applies to the eccv16 network; ddcolor takes --model-size", "--render-size", "224", "--model", "ddcolor")]
    public async Task BadModelOptions_AreUsageErrors_NamingTheOption(string message, params string[] options)
    {
        var run = await CliRun.ExecuteAsync(["colorize", _input, "--output", _output, "--models", _models, "--offline", .. options]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_output) && Directory.EnumerateFileSystemEntries(_output).Any());
    }

    [Fact]
    public async Task TemperatureWithAModelWithoutADistribution_IsAWarning()
    {
        var run = await CliRun.ExecuteAsync("colorize", _input, "--output", _output, "--models", _models, "--offline", "--model", "ddcolor", "-t", "0.2");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--temperature has no effect on ddcolor", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingModel_Offline_FailsWithTheModelExitCode_NamingTheFile()
    {
        var run = await CliRun.ExecuteAsync("colorize", _input, "--output", _output, "--models", _models, "--offline", "--model", "deoldify-artistic");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("deoldify_artistic.onnx", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_output, "photo.png")));
    }

    [Fact]
    public async Task Models_ListsTheCatalogueWithEachState()
    {
        var run = await CliRun.ExecuteAsync("models", "--models", _models, "--offline");

        Assert.Equal(0, run.ExitCode);
        string ddcolorSize = new FileInfo(Path.Combine(_models, "ddcolor.onnx")).Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches($@"ddcolor +DDColor +Apache-2\.0 +downloaded \({ddcolorSize} bytes\)", run.Output);
        Assert.Matches(@"deoldify-artistic +DeOldify, artistic +MIT +not downloaded", run.Output);
        Assert.Contains("ready", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsWithModel_LoadsThatModel_AndSaysItsFixedSize()
    {
        var run = await CliRun.ExecuteAsync("models", "--models", _models, "--offline", "--model", "deoldify-stable");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("deoldify-stable:", run.Output, StringComparison.Ordinal);
        Assert.Contains("runs at its fixed size 192: ready.", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsAll_Offline_ReportsEachMissingModel_AndFails()
    {
        var run = await CliRun.ExecuteAsync("models", "--models", _models, "--offline", "--all");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("ddcolor:", run.Output, StringComparison.Ordinal);
        Assert.Contains("error: deoldify: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("error: ddcolor-artistic: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelDDColor_ColorizesAVideoWithStabilization()
    {
        string clip = _work.File("clip.mp4");
        TestVideos.Write(clip, 12, 96, 64, 12, TestVideos.Panning(96, 64, 1, 3));

        var run = await CliRun.ExecuteAsync("colorize", clip, "--output", _output, "--models", _models, "--offline", "--model", "ddcolor", "--model-size", "192");

        Assert.Equal(0, run.ExitCode);
        using var capture = new VideoCapture(Path.Combine(_output, "clip.mp4"));
        using var frame = new Mat();
        Assert.True(capture.Read(frame));
        var mean = TestImages.MeanLab(frame, new Rect(0, 0, frame.Width, frame.Height));
        // Lossy video coding moves the colour a little; the model's (30, −20) must still be plain.
        Assert.Equal(30, mean.A, 4.0);
        Assert.Equal(-20, mean.B, 4.0);
    }
}
