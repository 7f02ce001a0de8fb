using System.Diagnostics;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Colorizer.Web.Tests.Load;

/// <summary>The default gallery settings (a 192 MiB memory budget), each test app with its own storage folder.</summary>
public sealed class GalleryMemoryWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>());

/// <summary>
/// The same settings, in an app of its own for the one-tab case: its ready level is then an empty gallery store,
/// whichever test ran first (the ten tabs' galleries stay in their app's memory, detached, as a real server keeps them).
/// </summary>
public sealed class OneTabMemoryWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>());

/// <summary>
/// The galleries' memory is a budget: twenty 12-megapixel photos in one tab, and ten tabs of twenty photos each, hold
/// no more decoded photos and network outputs than the budget, and every photo still downloads (read back from disk,
/// without the network). The previews are served by URL and held in memory only until they are written (they count
/// towards the budget meanwhile). One tab of twenty 12-megapixel photos ends at most 300 MB above the ready server,
/// both measured once the server has given memory back as it does when idle (docs/operations.md, "Galleries on disk").
/// </summary>
[Collection(LoadCollection.Name)]
[Trait("Category", "Load")]
public sealed class GalleryMemoryTests(GalleryMemoryWebFactory factory, OneTabMemoryWebFactory oneTab, ITestOutputHelper output)
    : IClassFixture<GalleryMemoryWebFactory>, IClassFixture<OneTabMemoryWebFactory>
{
    private static byte[] GrainyPhoto(int width, int height, int seed)
    {
        using var clean = DamagedPhotos.Clean(width, height, seed);
        using var grainy = DamagedPhotos.WithFilmGrain(clean, 10, seed);
        return TestImages.Encode(grainy, ".png");
    }

    private static async Task<ColorizationSession> TabAsync(ColorizerWebFactory app)
    {
        var session = await UploadSessions.CreateAsync(app, store: app.Services.GetRequiredService<GalleryStore>());
        Assert.True(session.Attach(Guid.NewGuid().ToString("N")));
        return session;
    }

    private static Task UploadAsync(ColorizerWebFactory app, ColorizationSession session, byte[] photo, int count) =>
        UploadAndWaitAsync(session, [.. Enumerable.Range(0, count).Select(i => new FakeBrowserFile($"scan {i:00}.png", photo))],
            app.Services.GetRequiredService<GalleryStore>());

    // Each write ends with a pass of the budget, just after the photo's record is in place: the budget is checked once
    // that pass has run (between the two, the last photo may be over it by up to its own size).
    private static async Task UploadAndWaitAsync(ColorizationSession session, FakeBrowserFile[] files, GalleryStore store)
    {
        await session.UploadAsync(files);
        await Waiting.UntilAsync(() => session.Items.All(i => i.Status == GalleryItemStatus.Done && i.Stored is not null)
            && store.MemoryInUse <= store.MemoryBudget, "every photo colorized and written, and the memory within the budget", TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task TwentyLargePhotosInOneTab_EndWithin300MBOfTheReadyServer()
    {
        var store = oneTab.Services.GetRequiredService<GalleryStore>();
        var clock = Stopwatch.StartNew();
        byte[] photo = GrainyPhoto(4000, 3000, 1);
        // Ready and warmed up: one photo through the whole path, then removed.
        using (var warm = await TabAsync(oneTab))
        {
            await UploadAsync(oneTab, warm, photo, 1);
            warm.Remove(warm.Items[0]);
        }
        var ready = await SampleOnceTheServerIsIdleAsync(oneTab, clock);

        using var session = await TabAsync(oneTab);
        await UploadAsync(oneTab, session, photo, 20);
        var after = await SampleOnceTheServerIsIdleAsync(oneTab, clock);

        output.WriteLine($"ready {ready}; after twenty 12 MP photos {after}; galleries hold {store.MemoryInUse / 1048576.0:0} MB (budget {store.MemoryBudget / 1048576.0:0} MB), previews {PreviewMb(session):0} MB, {GcCommitted()}");
        Assert.True(store.MemoryInUse <= store.MemoryBudget, $"{store.MemoryInUse} bytes held; the budget is {store.MemoryBudget}");
        double grewMb = (after.RssBytes - ready.RssBytes) / 1048576.0;
        Assert.True(grewMb <= 300, $"the resident set grew by {grewMb:0} MB over the ready server's; the target is at most 300 MB");
        // Every preview is written, so memory holds none of them (the browser gets them from disk).
        Assert.Equal(0, PreviewMb(session));
        long passes = oneTab.Models.Engine!.ForwardPassCount;
        // Photos dropped from memory come back from disk when asked for.
        // (Any photo dropped: one still busy being written when the budget was last kept may have stayed.)
        var dropped = session.Items.Where(i => !i.IsLoaded).MinBy(i => i.Sequence);
        Assert.NotNull(dropped);
        using var image = ImageAssertions.Decode(await session.EncodeAsync(dropped, Core.Imaging.OutputFormat.Jpeg));
        Assert.Equal((4000, 3000), (image.Cols, image.Rows));
        Assert.Equal(passes, oneTab.Models.Engine!.ForwardPassCount);
        Assert.True(store.MemoryInUse <= store.MemoryBudget, "reading a photo back keeps the budget");
    }

    // What the server holds once it has given memory back as it does when idle (IdleMemoryReturn: an aggressive
    // collection and malloc_trim, Delay after the last job, and at most once per MinimumInterval).
    private static async Task<MemorySample> SampleOnceTheServerIsIdleAsync(ColorizerWebFactory app, Stopwatch clock)
    {
        var returns = app.Services.GetRequiredService<IdleMemoryReturn>();
        long before = returns.Count;
        await Task.Delay(IdleMemoryReturn.MinimumInterval + IdleMemoryReturn.Delay);
        Assert.True(returns.Count > before, "the server gave memory back once idle");
        return MemorySample.Take(clock, settle: false);
    }

    // What the GC keeps committed beside its heap: free memory it has not given back (after the uploads' big buffers).
    private static string GcCommitted()
    {
        var info = GC.GetGCMemoryInfo();
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"GC committed {info.TotalCommittedBytes / 1048576.0:0} MB for a heap of {info.HeapSizeBytes / 1048576.0:0} MB");
    }

    // What memory holds of the cards' display-size previews (those not yet written to disk; the rest are read from there).
    private static double PreviewMb(params IEnumerable<ColorizationSession> sessions) =>
        sessions.SelectMany(s => s.Items).Sum(i => i.PreviewBytes) / 1048576.0;

    [Fact]
    public async Task TenTabsOfTwentyPhotos_StayWithinTheBudget()
    {
        var store = factory.Services.GetRequiredService<GalleryStore>();
        var clock = Stopwatch.StartNew();
        var ready = MemorySample.Take(clock, settle: true);
        var tabs = new List<ColorizationSession>();
        try
        {
            for (int tab = 0; tab < 10; tab++)
            {
                var session = await TabAsync(factory);
                tabs.Add(session);
                await UploadAsync(factory, session, GrainyPhoto(1600, 1200, tab + 2), 20);
                Assert.True(store.MemoryInUse <= store.MemoryBudget, $"after tab {tab + 1}: {store.MemoryInUse} bytes held; the budget is {store.MemoryBudget}");
            }
            var after = MemorySample.Take(clock, settle: true);
            output.WriteLine($"ready {ready}; after 10 tabs × 20 photos {after}; galleries hold {store.MemoryInUse / 1048576.0:0} MB, previews {PreviewMb(tabs):0} MB, {GcCommitted()}, in {clock.Elapsed.TotalSeconds:0} s");
            Assert.Equal(200, tabs.Sum(t => t.Items.Count));
            Assert.All(tabs.SelectMany(t => t.Items), i => Assert.NotNull(i.Stored));
            Assert.Equal(0, PreviewMb(tabs));
            // The first tab's photos, long dropped from memory, are all there.
            foreach (var item in tabs[0].Items.Take(3))
            {
                using var image = ImageAssertions.Decode(await tabs[0].EncodeAsync(item, Core.Imaging.OutputFormat.Jpeg));
                Assert.Equal(1600, image.Cols);
            }
        }
        finally
        {
            foreach (var session in tabs)
                session.Dispose();
        }
    }
}
