using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Models.Catalogue;

public sealed class ModelLibraryTests : IDisposable
{
    private readonly TemporaryDirectory _models = new();
    private static readonly ColorModel DDColor = ModelCatalogue.Get("ddcolor");
    private static readonly ColorModel Artistic = ModelCatalogue.Get("ddcolor-artistic");
    private static readonly ColorModel DeOldify = ModelCatalogue.Get("deoldify");

    public void Dispose() => _models.Dispose();

    private ServiceProvider Services(int budget = ColorizerOptions.DefaultModelMemoryBudget, bool download = false)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddColorizerCore(options =>
        {
            options.ModelsDirectory = _models.Path;
            options.DownloadWeights = download;
            options.ModelMemoryBudget = budget;
        });
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task ConcurrentRequests_ForAnUnloadedModel_LoadItOnce()
    {
        TinyOnnxModels.WriteTo(_models.Path, DDColor, TinyOnnxModels.ConstantAb(30, -20));
        await using var services = Services();
        var library = services.GetRequiredService<ModelLibrary>();

        var leases = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => library.AcquireAsync(DDColor)));

        Assert.Single(leases.Select(l => l.Engine).Distinct());
        Assert.Equal("ddcolor", leases[0].Engine.Model.Id);
        foreach (var lease in leases)
            lease.Dispose();
        var state = library.StateOf(DDColor);
        Assert.Equal(ModelFileStatus.Downloaded, state.Status);
        Assert.True(state.Loaded);
        Assert.Equal(new FileInfo(Path.Combine(_models.Path, DDColor.FileName)).Length, state.SizeBytes);
    }

    [Fact]
    public async Task OverBudget_TheLeastRecentlyUsedIsUnloaded_ButNeverOneInUse()
    {
        foreach (var model in new[] { DDColor, Artistic, DeOldify })
            TinyOnnxModels.WriteTo(_models.Path, model, TinyOnnxModels.Constant(model.Type));
        await using var services = Services(budget: 0);
        var library = services.GetRequiredService<ModelLibrary>();

        var first = await library.AcquireAsync(DDColor);
        using (var second = await library.AcquireAsync(Artistic))
        {
            // Both in use: neither may go, whatever the budget.
            Assert.True(library.StateOf(DDColor).Loaded);
            Assert.True(library.StateOf(Artistic).Loaded);
            using var result = await first.Engine.ColorizeAsync(DecodedImage.FromMat(new Mat(16, 16, MatType.CV_8UC1, Scalar.All(120))), ColorizationOptions.For(DDColor));
            using var ab = result.Prediction.DecodeAb(Colorizer.Core.Models.BinCentres.Release, 0.38, 1);
            Assert.Equal(30, ab.Get<Vec2f>(0, 0).Item0, 0.01);
        }
        // Released while DDColor was in use, Artistic went at once (over the zero budget); DDColor stays as the only one loaded.
        first.Dispose();
        Assert.False(library.StateOf(DDColor).Loaded && library.StateOf(Artistic).Loaded);
        Assert.True(library.StateOf(DDColor).Loaded);

        using var third = await library.AcquireAsync(DeOldify);
        Assert.True(library.StateOf(DeOldify).Loaded);
        Assert.False(library.StateOf(DDColor).Loaded);
        Assert.False(library.StateOf(Artistic).Loaded);
        Assert.Throws<ObjectDisposedException>(() => first.Engine.WarmUp(256));
    }

    [Fact]
    public async Task MissingFile_WithDownloadsOff_IsReportedWithWhatToDo()
    {
        await using var services = Services(download: false);
        var library = services.GetRequiredService<ModelLibrary>();

        Assert.Equal(ModelFileStatus.NotDownloaded, library.StateOf(DeOldify).Status);
        var notReady = Assert.Throws<ModelNotReadyException>(() => library.EnsureAvailable(DeOldify));
        Assert.False(notReady.MayRecover);
        Assert.Contains("Colorizer:DownloadWeights", notReady.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_models.Path, "deoldify.onnx"), notReady.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<ModelFilesException>(() => library.AcquireAsync(DeOldify));
        Assert.Equal("deoldify.onnx", missing.FileName);
    }

    [Fact]
    public async Task BrokenFile_IsFailedWithItsReason_AndTriedAgainOnTheNextRequest()
    {
        string path = TinyOnnxModels.WriteTo(_models.Path, DDColor, TinyOnnxModels.ConstantRgb(1, 2, 3));
        await using var services = Services();
        var library = services.GetRequiredService<ModelLibrary>();

        await Assert.ThrowsAsync<ModelFilesException>(() => library.AcquireAsync(DDColor));
        var failed = library.StateOf(DDColor);
        Assert.Equal(ModelFileStatus.Failed, failed.Status);
        Assert.Contains("is not a DDColor model", failed.FailureReason, StringComparison.Ordinal);

        File.WriteAllBytes(path, TinyOnnxModels.ConstantAb(1, 2));
        using var lease = await library.AcquireAsync(DDColor);
        Assert.Equal(ModelFileStatus.Downloaded, library.StateOf(DDColor).Status);
    }

    [Fact]
    public async Task List_HasEveryCatalogueModel_DefaultFirst()
    {
        await using var services = Services();
        var list = services.GetRequiredService<ModelLibrary>().List();

        Assert.Equal(["eccv16", "ddcolor", "ddcolor-artistic", "deoldify-stable", "deoldify-artistic", "deoldify"], list.Select(m => m.Model.Id));
        Assert.All(list.Skip(1), m => Assert.Equal(ModelFileStatus.NotDownloaded, m.Status));
    }
}
