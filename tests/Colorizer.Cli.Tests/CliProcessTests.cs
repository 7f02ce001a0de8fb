using Colorizer.Testing;

namespace Colorizer.Cli.Tests;

/// <summary>
/// The built CLI as its own process, with an empty environment: its <c>Main</c> must set OpenCV's decoder limits
/// before OpenCV loads (in-process tests cannot see that: their module initializer has set them already).
/// </summary>
public sealed class CliProcessTests : IDisposable
{
    private readonly TemporaryDirectory _models = new();

    public CliProcessTests() =>
        SyntheticModels.WriteTiny(_models.Path, TinyModel.ConstantBin(SyntheticModels.BinAt(20, 40)));

    public void Dispose() => _models.Dispose();

    [Fact]
    public async Task BareStart_SetsOpenCvsLimitsItself_AndTheSelfTestPasses()
    {
        var (exit, error) = await RunAsync(new Dictionary<string, string>(), "models", "--offline", "--models", _models.Path, "-v");

        Assert.True(exit == 0, error);
        Assert.Contains("OPENCV_IO_MAX_IMAGE_PIXELS=50000000 (from the configuration)", error, StringComparison.Ordinal);
        Assert.Contains("OpenCV refuses images over 50,000,000 pixels or 16,384×16,384", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LooserOrUnreadableLimitsInTheEnvironment_AreTightened_WithAWarningEvenWithoutVerbose()
    {
        var (exit, error) = await RunAsync(new Dictionary<string, string>
        {
            ["OPENCV_IO_MAX_IMAGE_WIDTH"] = "100000",
            ["OPENCV_IO_MAX_IMAGE_HEIGHT"] = " 100", // OpenCV would throw on the space when it loads
        }, "models", "--offline", "--models", _models.Path);

        Assert.True(exit == 0, error);
        Assert.Contains("OPENCV_IO_MAX_IMAGE_WIDTH was '100000' in the environment, looser than the configuration: tightened to 16384", error, StringComparison.Ordinal);
        Assert.Contains("OPENCV_IO_MAX_IMAGE_HEIGHT was ' 100' in the environment, not a size OpenCV reads: tightened to 16384", error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Error)> RunAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        // The default backend (ONNX Runtime): this also proves its native library ships with the CLI's build.
        using var process = CliProcess.Start(arguments, environment);
        var output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await output;
        return (process.ExitCode, error);
    }
}
