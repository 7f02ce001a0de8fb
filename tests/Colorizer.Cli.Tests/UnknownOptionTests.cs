using Colorizer.Testing;

namespace Colorizer.Cli.Tests;

/// <summary>
/// Tokens that look like options but are none. The runs that must be refused use <c>--offline</c> with an empty models
/// folder: had they started any work, they would end with the missing-model exit code 3 instead of 2.
/// </summary>
public sealed class UnknownOptionTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();
    private readonly string _noModels;
    private readonly string _photo;
    private readonly string _output;

    public UnknownOptionTests()
    {
        _noModels = Directory.CreateDirectory(_work.File("no-models")).FullName;
        _photo = _work.File("photo.png");
        using (var image = TestImages.Grey(20, 20))
            File.WriteAllBytes(_photo, TestImages.Encode(image, ".png"));
        _output = _work.File("out");
    }

    public void Dispose() => _work.Dispose();

    [Theory]
    [InlineData("--models", "--offline", "colorize", "{photo}", "-o", "{out}", "--models", "--offline")]
    [InlineData("-o", "--offline", "colorize", "{photo}", "-o", "--offline")]
    [InlineData("--hints", "-v", "colorize", "{photo}", "-o", "{out}", "--hints", "-v")]
    public async Task AnOptionInPlaceOfAValue_IsAUsageError_AndNothingIsCreated(string option, string next, params string[] args)
    {
        var run = await CliRun.ExecuteAsync([.. args.Select(a => a.Replace("{photo}", _photo).Replace("{out}", _output)), "--offline", "--models", _noModels]);

        Assert.True(run.ExitCode == 2, run.Error);
        Assert.Contains($"error: {option} needs a value, but the next word is the option {next}.", run.Error);
        Assert.False(Directory.Exists(_output));
        Assert.False(Directory.Exists(next));
    }

    [Theory]
    [InlineData("--modle", "--model", "colorize", "{photo}", "--output", "{out}", "--modle", "ddcolor")]
    [InlineData("--modles", "--models", "colorize", "{photo}", "--output", "{out}", "--modles", "{out}")]
    [InlineData("--outptu", "--output", "colorize", "{photo}", "--outptu", "{out}")]
    [InlineData("--temprature", "--temperature", "colorize", "{photo}", "-o", "{out}", "--temprature", "0.5")]
    [InlineData("--Saturation", "--saturation", "colorize", "{photo}", "-o", "{out}", "--Saturation=0.5")]
    [InlineData("--hlep", "--help", "colorize", "{photo}", "-o", "{out}", "--hlep")]
    [InlineData("--modle", "--model", "models", "--modle", "ddcolor")]
    [InlineData("--verbos", "--verbose", "--verbos", "models")]
    public async Task UnknownOption_ExitsWithUsageErrorBeforeAnyWork_SuggestingTheClosestOption(string unknown, string suggested, params string[] args)
    {
        var run = await CliRun.ExecuteAsync([.. args.Select(a => a.Replace("{photo}", _photo).Replace("{out}", _output)), "--offline", "--models", _noModels]);

        Assert.True(run.ExitCode == 2, run.Error);
        Assert.Contains($"error: unknown option {unknown}; did you mean {suggested}?", run.Error);
        Assert.Empty(run.Output);
        Assert.False(Directory.Exists(_output));
        Assert.Empty(Directory.GetFileSystemEntries(_noModels));
    }

    [Fact]
    public async Task UnknownOption_FarFromEveryOption_IsNamedWithThePointersToHelpAndToDoubleDash()
    {
        var run = await CliRun.ExecuteAsync("colorize", _photo, "-o", _output, "--zzzzzz", "--offline", "--models", _noModels);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: unknown option --zzzzzz; see 'colorizer colorize --help' for the options.", run.Error);
        Assert.Contains("A path that starts with '-' goes after '--': colorizer colorize [options] -- --zzzzzz", run.Error);
        Assert.DoesNotContain("did you mean", run.Error);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public async Task UnknownOptions_AreAllNamed()
    {
        var run = await CliRun.ExecuteAsync("colorize", "-dash.png", _photo, "--modle", "x", "-o", _output, "--offline", "--models", _noModels);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown option -dash.png", run.Error);
        Assert.Contains("unknown option --modle; did you mean --model?", run.Error);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public async Task UnknownOption_OfTheModelsCommand_IsAUsageErrorEvenFarFromEveryOption()
    {
        var run = await CliRun.ExecuteAsync("models", "--zzzzzz", "--offline", "--models", _noModels);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: unknown option --zzzzzz; see 'colorizer models --help' for the options.", run.Error);
        // models takes no paths: no word about '--'.
        Assert.DoesNotContain("goes after '--'", run.Error);
    }

    [Theory]
    [InlineData("--saturation", "-1")]
    [InlineData("-s", "-1")]
    [InlineData("--saturation=-1")]
    [InlineData("-s:-0.5")]
    public async Task NegativeOptionValue_IsTheOptionsValue_AndStillAnOutOfRangeError(params string[] option)
    {
        var run = await CliRun.ExecuteAsync(["colorize", _photo, "-o", _output, .. option, "--offline", "--models", _noModels]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Saturation", run.Error);
        Assert.DoesNotContain("unknown option", run.Error);
        Assert.False(Directory.Exists(_output));
    }

    [Fact]
    public async Task LoneDash_IsAnInputNotAnOption()
    {
        var run = await CliRun.ExecuteAsync("colorize", "-", "-o", _output, "--offline", "--models", _noModels);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: -: no such file or folder", run.Error);
        Assert.DoesNotContain("unknown option", run.Error);
    }
}

/// <summary>Changes the process's current folder, so runs alone.</summary>
[CollectionDefinition(nameof(CurrentFolder), DisableParallelization = true)]
public sealed class CurrentFolder;

/// <summary>A file whose name starts with <c>-</c>, given by a relative path from the current folder.</summary>
[Collection(nameof(CurrentFolder))]
public sealed class DashPathTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();
    private readonly string _previousFolder = Environment.CurrentDirectory;
    private readonly string _models;

    public DashPathTests()
    {
        _models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.ConstantBin(150)).Directory;
        using (var image = TestImages.Grey(24, 16))
            File.WriteAllBytes(_work.File("-dash.png"), TestImages.Encode(image, ".png"));
        Environment.CurrentDirectory = _work.Path;
    }

    public void Dispose()
    {
        Environment.CurrentDirectory = _previousFolder;
        _work.Dispose();
    }

    [Fact]
    public async Task PathStartingWithADash_AfterDoubleDash_IsColorized()
    {
        var run = await CliRun.ExecuteAsync("colorize", "-o", "out", "--models", _models, "--", "-dash.png");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.True(File.Exists(_work.File(Path.Combine("out", "-dash.png"))));
    }

    [Fact]
    public async Task PathStartingWithADash_WithoutDoubleDash_IsRefusedAsAnUnknownOption()
    {
        var run = await CliRun.ExecuteAsync("colorize", "-dash.png", "-o", "out", "--models", _models);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: unknown option -dash.png; see 'colorizer colorize --help' for the options.", run.Error);
        Assert.Contains("A path that starts with '-' goes after '--': colorizer colorize [options] -- -dash.png", run.Error);
        Assert.False(Directory.Exists(_work.File("out")));
    }
}
