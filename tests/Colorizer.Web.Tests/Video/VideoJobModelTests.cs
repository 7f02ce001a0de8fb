using Colorizer.Core.Models.Catalogue;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using Colorizer.Web.Video;

namespace Colorizer.Web.Tests.Video;

/// <summary>Web video jobs with a DDColor-type model (a generated file answering (30, −20), not the real network).</summary>
public sealed class VideoJobModelTests
{
    [Fact]
    public async Task Job_WithADDColorModel_RunsStabilized_InThatModelsColour()
    {
        await using var harness = await VideoJobHarness.StartAsync();
        var model = ModelCatalogue.Get("ddcolor");
        TinyOnnxModels.WriteTo(harness.Work.File("models"), model, TinyOnnxModels.ConstantAb(30, -20));
        string input = harness.WriteVideo("clip.avi", frames: 20, width: 160, height: 120);

        VideoJobSnapshot created;
        await using (var stream = File.OpenRead(input))
            created = await harness.Service.CreateAsync("clip.avi", stream, VideoJobSettings.For(model));
        var done = await harness.WaitForEndAsync(created.Id);

        Assert.Equal(VideoJobState.Done, done.State);
        Assert.Equal(20, done.Result!.Frames);
        var pair = await harness.Service.ReadFramesAsync(created.Id, 10, maxSide: 160);
        Assert.NotNull(pair);
        using var colorized = ImageAssertions.Decode(pair.Colorized);
        var (a, b) = ImageAssertions.MeanAb(colorized);
        // JPEG frames for display and lossy video move the colour a little; the model's (30, −20) must be plain.
        Assert.Equal(30, a, 4.0);
        Assert.Equal(-20, b, 4.0);
    }

    [Fact]
    public async Task Job_WithAModelThatIsMissing_FailsWithAReason()
    {
        await using var harness = await VideoJobHarness.StartAsync();
        string input = harness.WriteVideo("clip.avi", frames: 6);

        VideoJobSnapshot created;
        await using (var stream = File.OpenRead(input))
            created = await harness.Service.CreateAsync("clip.avi", stream, VideoJobSettings.For(ModelCatalogue.Get("deoldify")));
        var done = await harness.WaitForEndAsync(created.Id);

        Assert.Equal(VideoJobState.Failed, done.State);
        Assert.Contains("deoldify.onnx", done.Error, StringComparison.Ordinal);
        Assert.Contains("downloading is switched off", done.Error, StringComparison.Ordinal);
    }
}
