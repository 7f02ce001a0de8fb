using Colorizer.Core.Restoration;
using Colorizer.Testing;
using Colorizer.Web.Tests.Api;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace Colorizer.Web.Tests.Colorization;

/// <summary>
/// The page's work on a finished card is charged to the memory budget for images in flight, as its uploads are: a
/// re-run at another detail, another model to compare with, repairs, a reference photo and a re-render of the preview
/// each wait for room while the budget is full (taking no place in the queue meanwhile, the card saying so), hold
/// their photo's working set while they wait in the queue and work, and give it back when they end.
/// </summary>
public sealed class ColorizationSessionMemoryBudgetTests(TinyBudgetWebFactory factory) : IClassFixture<TinyBudgetWebFactory>
{
    private const int Width = 320, Height = 240;

    private MemoryBudget Budget => factory.Services.GetRequiredService<MemoryBudget>();

    private static long WorkingSet(int width, int height) => new AdmissionOptions().EstimateWorkingSet(width, height);

    private async Task<(ColorizationSession Session, GalleryItem Item)> ColorizedAsync()
    {
        var session = await UploadSessions.CreateAsync(factory);
        using var photo = DamagedPhotos.Clean(Width, Height);
        await session.UploadAsync([new FakeBrowserFile("porch.png", TestImages.Encode(photo, ".png"))]);
        await Waiting.UntilAsync(() => session.Items.All(i => i.Status == GalleryItemStatus.Done), "the photo", TimeSpan.FromSeconds(30));
        await Waiting.UntilAsync(() => Budget.InUse == 0 && Budget.Waiting == 0, "the budget to be free");
        return (session, session.Items[0]);
    }

    /// <summary>
    /// Colorizes a photo, then starts <paramref name="start"/> on its card with the whole budget held by other work: it
    /// waits for room, in no place of the queue, and <paramref name="whileWaiting"/> sees it so. Once the budget is free
    /// it takes <paramref name="charge"/> bytes and waits in the queue (both running places are the test's) holding
    /// them; then it runs, and gives them back. The caller disposes the session.
    /// </summary>
    private async Task<(ColorizationSession Session, GalleryItem Item)> WaitsForRoom_ThenHoldsItsCharge_AndGivesItBackAsync(
        Func<ColorizationSession, GalleryItem, Task> start, long charge, Action<GalleryItem>? whileWaiting = null)
    {
        var (session, item) = await ColorizedAsync();
        var budget = Budget;
        var queue = factory.Queue;
        Task work;
        using (var full = await budget.AcquireWorkingAsync(budget.Capacity))
        {
            work = start(session, item);
            await Waiting.UntilAsync(() => budget.Waiting == 1, "the work to wait for room in the memory budget");
            await Task.Delay(200);
            Assert.False(work.IsCompleted);
            Assert.Equal(0, queue.Waiting + queue.Running);
            Assert.Equal(budget.Capacity, budget.InUse);
            whileWaiting?.Invoke(item);
            using (queue.Enter())
            using (queue.Enter())
            {
                full.Dispose();
                await Waiting.UntilAsync(() => queue.Waiting == 1, "the work, charged, to wait in the queue");
                Assert.Equal(charge, budget.InUse);
                Assert.Equal(1, budget.Holders);
            }
        }
        await work.WaitAsync(TimeSpan.FromSeconds(30));
        await Waiting.UntilAsync(() => budget.InUse == 0 && budget.Holders == 0 && budget.Waiting == 0, "every byte to be given back");
        return (session, item);
    }

    [Fact]
    public async Task MoreDetail_WaitsForRoom_TheCardSayingSo_HoldsThePhotosWorkingSet_AndRunsOnceThereIsRoom()
    {
        var (session, item) = await WaitsForRoom_ThenHoldsItsCharge_AndGivesItBackAsync((s, i) => s.ChangeDetailAsync(i, 448), WorkingSet(Width, Height),
            i =>
            {
                Assert.True(i.Recomputing);
                Assert.Equal(ColorizationSession.WaitingForMemoryNote, i.Note);
            });
        using var _ = session;

        Assert.Equal(448, item.Options.RenderSize);
        Assert.Null(item.Error);
        Assert.Null(item.Note);
        Assert.False(item.Recomputing);
    }

    [Fact]
    public async Task AnotherModelsPrediction_ToCompareWith_WaitsForRoom_AndHoldsThePhotosWorkingSet()
    {
        // Only the 2016 network is at hand here, so the comparison's prediction is asked of the service directly.
        var colorizer = factory.Services.GetRequiredService<ColorizationService>();
        GalleryItem.ResultLease? lease = null;
        bool toldWaiting = false;
        Task<(Core.Colorization.ChromaPrediction Prediction, Core.Models.BinCentres Bins)>? predicting = null;

        var (session, _) = await WaitsForRoom_ThenHoldsItsCharge_AndGivesItBackAsync((_, item) =>
        {
            lease = item.LeaseResult()!;
            return predicting = colorizer.PredictAsync(lease.Image, item.Options with { RenderSize = 448 }, client: "page:test",
                onWaitingForMemory: () => toldWaiting = true);
        }, WorkingSet(Width, Height), _ => Assert.True(toldWaiting));
        using (session)
        using (lease)
            Assert.True((await predicting!).Prediction.SizeInBytes > 0);
    }

    [Fact]
    public async Task Repairs_WaitForRoom_TheCardSayingSo_HoldThePhotosWorkingSet_AndAreDoneOnceThereIsRoom()
    {
        var dust = new RestorationOptions { Steps = RestorationSteps.Dust };
        var (session, item) = await WaitsForRoom_ThenHoldsItsCharge_AndGivesItBackAsync((s, i) => s.SetRestorationAsync(i, dust), WorkingSet(Width, Height),
            i => Assert.Equal(ColorizationSession.WaitingForMemoryNote, i.Note));
        using var _ = session;

        Assert.Equal(dust, item.Options.Restoration);
        Assert.NotNull(item.RepairedPreview);
        Assert.Null(item.Error);
    }

    [Fact]
    public async Task AReferencePhoto_IsDecodedOnceThereIsRoom_HoldingItsWorkingSet()
    {
        using var teal = new Mat(60, 80, MatType.CV_8UC3, new OpenCvSharp.Scalar(150, 140, 40));
        var (session, item) = await WaitsForRoom_ThenHoldsItsCharge_AndGivesItBackAsync(
            (s, i) => s.SetReferenceAsync(i, "lake.png", TestImages.Encode(teal, ".png")), WorkingSet(80, 60));
        using var _ = session;

        Assert.Equal(ColorVariant.Reference, item.Variant);
        Assert.NotNull(item.ReferencePreview);
    }

    [Fact]
    public async Task ARestyle_ReRendersThePreviewOnceThereIsRoom()
    {
        var (session, item) = await ColorizedAsync();
        using var _ = session;
        var budget = Budget;
        string before = item.ResultPreview!.Version;
        Task restyle;
        using (await budget.AcquireWorkingAsync(budget.Capacity))
        {
            restyle = session.RestyleAsync(item, 0.3, 1.5);
            await Waiting.UntilAsync(() => budget.Waiting == 1, "the re-render to wait for room in the memory budget");
            await Task.Delay(200);
            Assert.False(restyle.IsCompleted);
            Assert.Equal(before, item.ResultPreview!.Version);
        }
        await restyle.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(before, item.ResultPreview!.Version);
        await Waiting.UntilAsync(() => budget.InUse == 0 && budget.Holders == 0, "every byte to be given back");
    }

    [Fact]
    public async Task ADownload_WaitsForRoom_AndIsMadeOnceThereIsRoom()
    {
        var (session, item) = await ColorizedAsync();
        using var _ = session;
        var budget = Budget;
        Task<byte[]> download;
        using (await budget.AcquireWorkingAsync(budget.Capacity))
        {
            download = session.EncodeAsync(item, Core.Imaging.OutputFormat.Png);
            await Waiting.UntilAsync(() => budget.Waiting == 1, "the download to wait for room in the memory budget");
            await Task.Delay(200);
            Assert.False(download.IsCompleted);
        }
        using var image = ImageAssertions.Decode(await download.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal((Width, Height), (image.Cols, image.Rows));
        await Waiting.UntilAsync(() => budget.InUse == 0 && budget.Holders == 0, "every byte to be given back");
    }
}

/// <summary>The page's re-run while the budget stays full past the deadline: the card says why, and keeps its result.</summary>
public sealed class ColorizationSessionMemoryBudgetDeadlineTests(TinyBudgetShortDeadlineWebFactory factory) : IClassFixture<TinyBudgetShortDeadlineWebFactory>
{
    // A tab with one colorized 320×240 photo, and the budget free again.
    private async Task<(ColorizationSession Session, GalleryItem Item, MemoryBudget Budget)> ColorizedPhotoAsync()
    {
        var session = await UploadSessions.CreateAsync(factory);
        using var photo = DamagedPhotos.Clean(320, 240);
        await session.UploadAsync([new FakeBrowserFile("porch.png", TestImages.Encode(photo, ".png"))]);
        await Waiting.UntilAsync(() => session.Items.All(i => i.Status == GalleryItemStatus.Done), "the photo", TimeSpan.FromSeconds(30));
        var budget = factory.Services.GetRequiredService<MemoryBudget>();
        await Waiting.UntilAsync(() => budget.InUse == 0, "the budget to be free");
        return (session, session.Items[0], budget);
    }

    [Fact]
    public async Task MoreDetail_PastTheDeadline_SaysTheMemoryIsFull_AndLeavesTheCardAsItWas()
    {
        var (session, item, budget) = await ColorizedPhotoAsync();
        using var _ = session;
        int size = item.Options.RenderSize;

        using (await budget.AcquireWorkingAsync(budget.Capacity))
            await session.ChangeDetailAsync(item, 448).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(size, item.Options.RenderSize);
        Assert.Contains("memory", item.Error, StringComparison.Ordinal);
        Assert.Contains("4 MB", item.Error, StringComparison.Ordinal);
        Assert.False(item.Recomputing);
        Assert.Equal(0, budget.InUse);
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public async Task ARestyle_PastTheDeadline_SaysSo_AndTheNextOneThatRendersClearsIt()
    {
        var (session, item, budget) = await ColorizedPhotoAsync();
        using var _ = session;

        using (await budget.AcquireWorkingAsync(budget.Capacity))
            await session.RestyleAsync(item, 0.3, 1.5).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("memory", item.Error, StringComparison.Ordinal);

        // Room again: the slider's next move renders, and the card no longer says the server was too busy.
        string before = item.ResultPreview!.Version;
        await session.RestyleAsync(item, 0.4, 1.2).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(before, item.ResultPreview!.Version);
        Assert.Null(item.Error);
    }
}
