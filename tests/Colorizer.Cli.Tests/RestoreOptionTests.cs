using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Cli.Tests;

/// <summary><c>--restore</c> and <c>--restore-strength</c>.</summary>
public sealed class RestoreOptionTests : IDisposable
{
    private readonly CliFolders _folders = new();
    private string Models => _folders.Models;

    private string Inputs => _folders.Inputs;

    private string Output => _folders.Output;

    public void Dispose() => _folders.Dispose();

    // The result's L, which is the (repaired) input's: its colour plays no part.
    private static Mat Lightness(Mat image)
    {
        using var lab = TestImages.ToLab(image);
        return lab.ExtractChannel(0);
    }

    private static Mat Lightness(string path)
    {
        using var image = Cv2.ImRead(path, ImreadModes.Unchanged);
        return Lightness(image);
    }

    [Fact]
    public async Task RestoreDust_WritesTheRepairedPhotoAndSaysSo()
    {
        using var clean = DamagedPhotos.Clean(320, 240);
        using (var specked = DamagedPhotos.WithSpecks(clean, 120))
            File.WriteAllBytes(Path.Combine(Inputs, "scan.png"), TestImages.Encode(specked, ".png"));

        var plain = await CliRun.ExecuteAsync("colorize", Inputs, "-o", _folders.File("plain"), "--models", Models);
        var run = await CliRun.ExecuteAsync("colorize", Inputs, "-o", Output, "--models", Models, "--restore", "dust", "--restore-strength", "0.8");

        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(0, run.ExitCode);
        using var cleanL = Lightness(clean);
        using var unrepaired = Lightness(Path.Combine(_folders.File("plain"), "scan.png"));
        using var repaired = Lightness(Path.Combine(Output, "scan.png"));
        double before = Cv2.PSNR(cleanL, unrepaired, 100), after = Cv2.PSNR(cleanL, repaired, 100);
        Assert.True(after - before >= 5, $"{before:0.00} dB without repairs, {after:0.00} dB with");
        Assert.Equal("dust (strength 0.8)", ExifTool.Read(Path.Combine(Output, "scan.png"))["XMP-colorizer:Restoration"]);
    }

    [Theory]
    [InlineData("dust,fog", "fog")]
    [InlineData("noise;dust", "noise;dust")]
    public async Task UnknownStep_IsAUsageErrorNamingIt(string steps, string named)
    {
        using (var grey = TestImages.Grey(20, 20))
            File.WriteAllBytes(Path.Combine(Inputs, "a.png"), TestImages.Encode(grey, ".png"));
        var run = await CliRun.ExecuteAsync("colorize", Inputs, "-o", Output, "--models", Models, "--restore", steps);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"'{named}'", run.Error);
        Assert.False(Directory.Exists(Output));
    }

    [Fact]
    public async Task StrengthOutOfRange_IsAUsageError()
    {
        using (var grey = TestImages.Grey(20, 20))
            File.WriteAllBytes(Path.Combine(Inputs, "a.png"), TestImages.Encode(grey, ".png"));
        var run = await CliRun.ExecuteAsync("colorize", Inputs, "-o", Output, "--models", Models, "--restore", "noise", "--restore-strength", "1.5");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("RestoreStrength must be between 0 and 1", run.Error);
    }
}
