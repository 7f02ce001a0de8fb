using Colorizer.Core.Colorization;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Cli.Tests;

/// <summary><c>--backend</c>: every backend colorizes, before or after the command's name; anything else is a usage error.</summary>
public sealed class BackendOptionTests : IDisposable
{
    private static readonly (int A, int B) ModelColor = (20, 30);

    private readonly TemporaryDirectory _work = new();
    private readonly string _models;
    private readonly string _photo;
    private readonly string _output;

    public BackendOptionTests()
    {
        _models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.ConstantBin(SyntheticModels.BinAt(ModelColor.A, ModelColor.B))).Directory;
        _photo = _work.File("photo.png");
        // Mid-tones, where the model's orange is inside the sRGB gamut and comes out as it is.
        using (var image = TestImages.Gradient(48, 32, 100, 160))
            File.WriteAllBytes(_photo, TestImages.Encode(image, ".png"));
        _output = _work.File("out");
    }

    public void Dispose() => _work.Dispose();

    public static TheoryData<string> Backends => new(InferenceBackendNames.All);

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Backend_Colorizes(string backend)
    {
        var run = await CliRun.ExecuteAsync("colorize", _photo, "-o", _output, "--models", _models, "--offline", "--backend", backend);

        Assert.True(run.ExitCode == 0, run.Error);
        using var result = Cv2.ImRead(Path.Combine(_output, "photo.png"), ImreadModes.Color);
        Assert.Equal(new Size(48, 32), result.Size());
        using var lab = TestImages.ToLab(result);
        Assert.Equal(ModelColor.B, Cv2.Mean(lab).Val2, 2.0);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Backend_MatchesTheReferenceRecipe_ByAtLeast40Db(string backend)
    {
        // A model whose colour follows the lightness, so the comparison has colour to compare.
        string models = SyntheticModels.WriteTiny(_work.File("recipe-models"),
            TinyModel.LightnessDependent(SyntheticModels.BinAt(20, 40), SyntheticModels.BinAt(-10, -40), slope: 0.08f)).Directory;
        using var grey = TestImages.Grey(333, 217);
        string input = _work.File("recipe.png");
        File.WriteAllBytes(input, TestImages.Encode(grey, ".png"));

        var run = await CliRun.ExecuteAsync("colorize", input, "-o", _output, "--models", models, "--offline", "--backend", backend);

        Assert.True(run.ExitCode == 0, run.Error);
        using var ours = Cv2.ImRead(Path.Combine(_output, "recipe.png"), ImreadModes.Color);
        using var reference = ReferenceRecipe.Colorize(models, grey);
        double psnr = TestImages.Psnr(reference, ours);
        Assert.True(psnr >= 40, $"PSNR against the reference recipe on {backend}: {psnr:0.0} dB");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Backend_BeforeTheCommand_LoadsTheModelOnIt(string backend)
    {
        string runtime = backend == InferenceBackendNames.Onnx ? "ONNX Runtime" : "OpenCV";

        var run = await CliRun.ExecuteAsync("--backend", backend, "models", "--models", _models, "--offline");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"The model loads and runs on {runtime}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrecisionInt8_LoadsTheInt8Network_AndColorizes()
    {
        var models = await CliRun.ExecuteAsync("--precision", "int8", "models", "--models", _models, "--offline");
        Assert.True(models.ExitCode == 0, models.Error);
        Assert.Contains("(INT8)", models.Output, StringComparison.Ordinal);

        var run = await CliRun.ExecuteAsync("colorize", _photo, "-o", _output, "--models", _models, "--offline", "--precision", "int8");
        Assert.True(run.ExitCode == 0, run.Error);
        using var result = Cv2.ImRead(Path.Combine(_output, "photo.png"), ImreadModes.Color);
        Assert.Equal(new Size(48, 32), result.Size());
    }

    [Fact]
    public async Task PrecisionInt8_OnOpenCv_IsAUsageError()
    {
        var run = await CliRun.ExecuteAsync("colorize", _photo, "-o", _output, "--models", _models, "--offline", "--backend", "opencv", "--precision", "int8");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--precision int8 needs --backend onnx", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public async Task UnknownBackend_IsAUsageError_AndNothingIsWritten()
    {
        var run = await CliRun.ExecuteAsync("colorize", _photo, "-o", _output, "--models", _models, "--offline", "--backend", "foo");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("foo", run.Error, StringComparison.Ordinal);
        Assert.Contains("'onnx'", run.Error, StringComparison.Ordinal);
        Assert.Contains("'opencv'", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public async Task Help_NamesTheBackendsAndTheDefault()
    {
        var run = await CliRun.ExecuteAsync("colorize", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--backend", run.Output, StringComparison.Ordinal);
        Assert.Contains($"[default: {InferenceBackendNames.Of(InferenceBackendDefaults.Default)}]", run.Output, StringComparison.Ordinal);
    }
}
