using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Cli.Tests;

/// <summary>One video split into three parts colorized by three CLI processes at once, then joined.</summary>
[Trait("Category", "Slow")]
public sealed class VideoPartsTests : IDisposable
{
    private const int Frames = 90, Width = 160, Height = 120;
    private const double Fps = 10;
    private readonly TemporaryDirectory _work = new();
    private readonly string _models;
    private readonly string _clip;

    public VideoPartsTests()
    {
        _models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.LightnessDependent(150, 30, 0.1f)).Directory;
        _clip = CliVideos.PanWithSound(_work, "film.mkv", Frames, Width, Height, Fps);
    }

    public void Dispose() => _work.Dispose();

    private string[] Arguments(string output, params string[] more) =>
        ["colorize", _clip, "--output", output, "--models", _models, "--render-size", "128", "--segment-seconds", "1", .. more];

    [Fact]
    public async Task ThreeParts_JoinedEqualOneRun_WithNoSeamAtTheirBoundaries()
    {
        var once = await CliRun.ExecuteAsync(Arguments(_work.File("once")));
        Assert.True(once.ExitCode == 0, once.Error);

        string parts = _work.File("parts");
        var processes = Enumerable.Range(1, 3).Select(k => CliProcess.Start(Arguments(parts, "--part", $"{k}/3"))).ToList();
        foreach (var process in processes)
        {
            var errors = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, await errors);
            process.Dispose();
        }
        string joined = _work.File("film-colorized.mp4");
        var join = await CliRun.ExecuteAsync("join", parts, "--output", joined);
        Assert.True(join.ExitCode == 0, join.Error);
        Assert.Contains($"{Frames} frames from 3 parts (9 segments), with the original's audio", join.Output);

        string reference = Path.Combine(_work.File("once"), "film.mp4");
        var (a, fpsA) = TestVideos.ReadAll(reference);
        var (b, fpsB) = TestVideos.ReadAll(joined);
        try
        {
            Assert.Equal(Frames, a.Count);
            Assert.Equal(Frames, b.Count);
            Assert.Equal(new Size(Width, Height), b[0].Size());
            Assert.Equal(fpsA, fpsB, 0.01);
            // Parts 1–3 span segments 0–2, 3–5 and 6–8 of ten frames: their boundaries are before frames 30 and 60.
            var change = Enumerable.Range(1, Frames - 1).ToDictionary(i => i, i => ChromaChange(b[i - 1], b[i]));
            double elsewhere = change.Where(c => c.Key is not (30 or 60)).Max(c => c.Value);
            Assert.True(change[30] <= elsewhere && change[60] <= elsewhere,
                $"colour change at the part boundaries {change[30]:0.00} and {change[60]:0.00}, elsewhere at most {elsewhere:0.00}");
        }
        finally
        {
            a.ForEach(f => f.Dispose());
            b.ForEach(f => f.Dispose());
        }
        Assert.Equal(1, TestVideos.AudioStreams(joined));
        Assert.Equal(CliVideos.Duration(reference), CliVideos.Duration(joined), 0.15);
    }

    [Fact]
    public async Task Join_WithAPartMissing_SaysWhich_AndWritesNothing()
    {
        string parts = _work.File("parts");
        var first = await CliRun.ExecuteAsync(Arguments(parts, "--part", "1/3"));
        Assert.True(first.ExitCode == 0, first.Error);
        var third = await CliRun.ExecuteAsync(Arguments(parts, "--part", "3/3"));
        Assert.True(third.ExitCode == 0, third.Error);

        string joined = _work.File("film-colorized.mp4");
        var join = await CliRun.ExecuteAsync("join", parts, "--output", joined);

        Assert.Equal(1, join.ExitCode);
        Assert.Contains("part 2 of 3 is missing", join.Error);
        Assert.False(File.Exists(joined));
    }

    [Theory]
    [InlineData("0/3")]
    [InlineData("4/3")]
    [InlineData("two")]
    public async Task BadPart_IsAUsageError(string part)
    {
        var run = await CliRun.ExecuteAsync(Arguments(_work.File("parts"), "--part", part));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--part must be K/N", run.Error);
    }

    // Mean |Δab| between two BGR frames, (|Δa| + |Δb|) / 2.
    private static double ChromaChange(Mat first, Mat second)
    {
        using var labA = TestImages.ToLab(first);
        using var labB = TestImages.ToLab(second);
        using var difference = new Mat();
        Cv2.Absdiff(labA, labB, difference);
        var mean = Cv2.Mean(difference);
        return (mean.Val1 + mean.Val2) / 2;
    }
}
