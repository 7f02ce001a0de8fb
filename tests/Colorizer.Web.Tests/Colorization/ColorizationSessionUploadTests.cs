using System.IO.Compression;
using Colorizer.Core.Imaging;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Tests.Colorization;

/// <summary>
/// One job at a time and two waiting, so a drop of twenty photos is far more than the shared line holds; the deadline
/// is the default's, so a busy test machine does not turn slowness into refusals.
/// </summary>
public sealed class SmallQueueWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Queue:Concurrency"] = "1",
    ["Queue:Capacity"] = "2",
});

/// <summary>
/// The same small queue with a deadline of 3 s, for refusals that a retry overcomes: short for the test to wait out,
/// long enough for one small photo on a busy machine.
/// </summary>
public sealed class SmallQueueShortDeadlineWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Queue:Concurrency"] = "1",
    ["Queue:Capacity"] = "2",
    ["Queue:Deadline"] = "00:00:03",
});

/// <summary>The page's uploads: progress, the tab's own line, refusals that can be retried, and uploads that stop arriving.</summary>
public sealed class ColorizationSessionUploadTests(SmallQueueWebFactory factory) : IClassFixture<SmallQueueWebFactory>
{
    private static readonly byte[] Png = Encode(".png"), Jpeg = Encode(".jpg");

    private static byte[] Encode(string extension)
    {
        using var image = TestImages.Grey(96, 64);
        return TestImages.Encode(image, extension);
    }

    private Task<ColorizationSession> SessionAsync(TimeSpan? stallTimeout = null, GalleryStore? store = null) =>
        UploadSessions.CreateAsync(factory, stallTimeout, store);

    private static string NewGalleryId() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task TwentyPhotoDrop_WaitsInItsTabInsteadOfBeingRefused_AndKeepsThePickOrder()
    {
        using var session = await SessionAsync();
        var files = Enumerable.Range(1, 20).Select(i => new FakeBrowserFile($"photo {i:00}.png", Png)).ToList();
        int mostInTab = 0, mostInSharedLine = 0;
        session.Changed += () =>
        {
            // Uploaded photos waiting in the tab's own line (not the ones still uploading, which are numbered too).
            mostInTab = Math.Max(mostInTab, session.Items.Count(i => i.Status == GalleryItemStatus.Waiting && i.TabPosition > 0));
            mostInSharedLine = Math.Max(mostInSharedLine, factory.Queue.Waiting);
        };

        await session.UploadAsync(files);
        await Waiting.UntilAsync(() => session.Items.All(i => !i.IsBusy), "every photo to finish", TimeSpan.FromSeconds(120));

        Assert.All(session.Items, item => Assert.Equal(GalleryItemStatus.Done, item.Status));
        Assert.Equal(files.Select(f => f.Name), session.Items.Select(i => i.FileName));
        // The tab's own line held the rest; the shared line (two places) was never filled by this tab alone.
        Assert.True(mostInTab >= 3, $"at most {mostInTab} photos waited in the tab");
        Assert.True(mostInSharedLine < factory.Queue.Capacity, $"the tab filled the shared line ({mostInSharedLine})");
    }

    [Fact]
    public async Task UploadProgress_RisesToAHundredPercent_BeforeTheCardGoesOn()
    {
        using var session = await SessionAsync();
        var big = new byte[200_000];
        Png.CopyTo(big, 0);
        var seen = new List<int>();
        session.Changed += () =>
        {
            if (session.Items is [{ Status: GalleryItemStatus.Uploading, UploadStarted: true } item])
                lock (seen)
                    seen.Add(item.UploadPercent);
        };

        await session.UploadAsync([new FakeBrowserFile("big.png", big)]);

        lock (seen)
        {
            Assert.True(seen.Distinct().Count() >= 10, $"progress was shown {seen.Distinct().Count()} times");
            Assert.Equal(seen.Order(), seen);
            Assert.Equal(100, seen[^1]);
        }
    }

    [Fact]
    public async Task AFullSharedLine_IsWaitedOut_ThenTheTabsPhotoIsColorized()
    {
        using var session = await SessionAsync();
        var queue = factory.Queue;
        var held = new[] { queue.Enter(), queue.Enter(), queue.Enter() }; // one running, two waiting: full
        try
        {
            await session.UploadAsync([new FakeBrowserFile("patient.png", Png)]);
            var item = Assert.Single(session.Items);
            await Task.Delay(300);
            Assert.Equal(GalleryItemStatus.Waiting, item.Status);
            Assert.Null(item.Error);
        }
        finally
        {
            foreach (var ticket in held)
                ticket.Dispose();
        }
        await Waiting.UntilAsync(() => session.Items[0].Status == GalleryItemStatus.Done, "the photo to be colorized", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AnUnreadablePhoto_CannotBeRetried()
    {
        using var session = await SessionAsync();

        await session.UploadAsync([new FakeBrowserFile("notes.png", "not an image"u8.ToArray())]);
        var item = Assert.Single(session.Items);
        await Waiting.UntilAsync(() => !item.IsBusy, "the photo to be refused", TimeSpan.FromSeconds(30));

        Assert.Equal(GalleryItemStatus.Failed, item.Status);
        Assert.False(item.CanRetry);
        Assert.False(session.Retry(item));
    }

    // Refused before decoding, like an unreadable file: the card says why, and trying again cannot help.
    [Fact]
    public async Task APhotoTooComplexToDecode_FailsItsCardSayingWhy_AndCannotBeRetried()
    {
        using var session = await SessionAsync();
        var file = HostileFiles.TooComplex["progressive JPEG of 12 MP with 10,001 scans"];

        await session.UploadAsync([new FakeBrowserFile("scans.jpg", file.Bytes)]);
        var item = Assert.Single(session.Items);
        await Waiting.UntilAsync(() => !item.IsBusy, "the photo to be refused", TimeSpan.FromSeconds(30));

        Assert.Equal(GalleryItemStatus.Failed, item.Status);
        Assert.StartsWith("The JPEG has 10,001 scans; at most 100 are accepted, because", item.Error, StringComparison.Ordinal);
        Assert.False(item.CanRetry);
    }

    [Fact]
    public async Task AnUploadThatStopsArriving_EndsInterrupted_AndTheNextStillUploads()
    {
        using var session = await SessionAsync(stallTimeout: TimeSpan.FromMilliseconds(300));

        await session.UploadAsync([new FakeBrowserFile("stalls.png", Png, sendBeforeStall: 100), new FakeBrowserFile("fine.png", Png)])
            .WaitAsync(TimeSpan.FromSeconds(30));

        var (stalled, fine) = (session.Items[0], session.Items[1]);
        Assert.Equal(GalleryItemStatus.Failed, stalled.Status);
        Assert.Equal(GalleryItem.InterruptedMessage, stalled.Error);
        Assert.Equal(100, stalled.UploadedBytes);
        Assert.False(stalled.CanRetry);
        await Waiting.UntilAsync(() => fine.Status == GalleryItemStatus.Done, "the second photo to be colorized", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ClosingThePage_InterruptsItsUploadsAtOnce_AndTheGalleryKeepsThemSoForTheReload()
    {
        var store = factory.Services.GetRequiredService<GalleryStore>();
        string id = NewGalleryId();
        var session = await SessionAsync();
        Assert.True(session.Attach(id));
        var files = new[] { new FakeBrowserFile("a.png", Png, sendBeforeStall: 50), new FakeBrowserFile("b.png", Png) };
        var upload = session.UploadAsync(files);
        await Waiting.UntilAsync(() => session.Items[0].UploadedBytes == 50, "the first bytes");

        session.Dispose();
        await upload.WaitAsync(TimeSpan.FromSeconds(30));

        using var reloaded = await SessionAsync(store: store);
        Assert.True(reloaded.Attach(id));
        Assert.Equal(2, reloaded.Items.Count);
        Assert.All(reloaded.Items, item =>
        {
            Assert.Equal(GalleryItemStatus.Failed, item.Status);
            Assert.Equal(GalleryItem.InterruptedMessage, item.Error);
            Assert.False(item.IsBusy);
        });
        // The second file was never read: its stream is gone with the page.
        Assert.Equal(0, files[1].Opened);
    }

    [Fact]
    public async Task AReloadedPage_FindsThePreviousPagesUnfinishedUploadsInterrupted_NotStuck()
    {
        string id = NewGalleryId();
        using var first = await SessionAsync();
        Assert.True(first.Attach(id));
        var upload = first.UploadAsync([new FakeBrowserFile("a.png", Png, sendBeforeStall: 50), new FakeBrowserFile("b.png", Png)]);
        await Waiting.UntilAsync(() => first.Items[0].UploadedBytes == 50, "the first bytes");

        // The reloaded tab's page attaches before the old circuit is gone.
        using var second = await SessionAsync();
        Assert.True(second.Attach(id));

        Assert.Equal(2, second.Items.Count);
        Assert.All(second.Items, item => Assert.Equal(GalleryItem.InterruptedMessage, item.Error));
        await upload.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task CancellingAnUploadingCard_EndsItAtOnceAsCancelled()
    {
        using var session = await SessionAsync();
        var upload = session.UploadAsync([new FakeBrowserFile("a.png", Png, sendBeforeStall: 50), new FakeBrowserFile("b.png", Png)]);
        await Waiting.UntilAsync(() => session.Items[0].UploadedBytes == 50, "the first bytes");

        session.Cancel(session.Items[1]);
        Assert.Equal(GalleryItemStatus.Cancelled, session.Items[1].Status);
        session.Cancel(session.Items[0]);
        Assert.Equal(GalleryItemStatus.Cancelled, session.Items[0].Status);

        await upload.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(session.Items, item => Assert.Equal("Cancelled.", item.Error));
    }

    [Fact]
    public async Task TheZip_FollowsEachPhotosOwnFormat_OrTheOneChosen()
    {
        using var session = await SessionAsync();
        await session.UploadAsync([new FakeBrowserFile("scan.jpg", Jpeg), new FakeBrowserFile("scan.png", Png)]);
        await Waiting.UntilAsync(() => session.Items.All(i => i.Status == GalleryItemStatus.Done), "both photos", TimeSpan.FromSeconds(30));

        Assert.Equal(["scan-colorized.jpg", "scan-colorized.png"], await ZipEntriesAsync(session, format: null));
        Assert.Equal(["scan-colorized (2).webp", "scan-colorized.webp"], (await ZipEntriesAsync(session, OutputFormat.WebP)).Order());
    }

    private static async Task<string[]> ZipEntriesAsync(ColorizationSession session, OutputFormat? format)
    {
        using var buffer = new MemoryStream();
        await session.WriteZipAsync(buffer, format);
        buffer.Position = 0;
        using var zip = new ZipArchive(buffer, ZipArchiveMode.Read);
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            var head = new byte[12];
            stream.ReadExactly(head);
            var expected = Path.GetExtension(entry.Name) switch { ".jpg" => ImageFormat.Jpeg, ".png" => ImageFormat.Png, _ => ImageFormat.WebP };
            Assert.Equal(expected, ImageFormatDetector.Detect(head));
        }
        return [.. zip.Entries.Select(e => e.Name)];
    }
}

/// <summary>A refusal a retry can overcome (a missed deadline) keeps the file for <em>Try again</em>.</summary>
public sealed class ColorizationSessionRetryTests(SmallQueueShortDeadlineWebFactory factory) : IClassFixture<SmallQueueShortDeadlineWebFactory>
{
    private static readonly byte[] Png = TestImages.Encode(TestImages.Grey(96, 64), ".png");

    private Task<ColorizationSession> SessionAsync() => UploadSessions.CreateAsync(factory);

    [Fact]
    public async Task APhotoRefusedForAMissedDeadline_KeepsItsFile_AndTryAgainColorizesIt()
    {
        using var session = await SessionAsync();
        var queue = factory.Queue;
        GalleryItem item;
        var held = new[] { queue.Enter(), queue.Enter(), queue.Enter() };
        try
        {
            await session.UploadAsync([new FakeBrowserFile("unlucky.png", Png)]);
            item = Assert.Single(session.Items);
            await Waiting.UntilAsync(() => item.Status == GalleryItemStatus.Failed, "the deadline to pass", TimeSpan.FromSeconds(30));
        }
        finally
        {
            foreach (var ticket in held)
                ticket.Dispose();
        }
        Assert.Contains("deadline of 3 s", item.Error, StringComparison.Ordinal);
        Assert.True(item.CanRetry);

        Assert.True(session.Retry(item));
        await Waiting.UntilAsync(() => item.Status == GalleryItemStatus.Done, "the retry to finish", TimeSpan.FromSeconds(30));
        Assert.False(item.CanRetry);
        Assert.False(session.Retry(item));
    }

}

/// <summary>Page sessions over a test app, made the way a circuit gets one, once the app's queue is idle.</summary>
internal static class UploadSessions
{
    public static async Task<ColorizationSession> CreateAsync(ColorizerWebFactory factory, TimeSpan? stallTimeout = null, GalleryStore? store = null)
    {
        await factory.CreateReadyClientAsync();
        // A previous test's photos may still be finishing: each test starts on an idle queue.
        await Waiting.UntilAsync(() => factory.Queue.Running == 0 && factory.Queue.Waiting == 0, "the queue to be idle", TimeSpan.FromSeconds(60));
        return new ColorizationSession(factory.Services.GetRequiredService<ColorizationService>(),
            Options.Create(new UploadOptions { StallTimeout = stallTimeout ?? TimeSpan.FromSeconds(20) }),
            factory.Services.GetRequiredService<IHostApplicationLifetime>(), store ?? factory.Services.GetRequiredService<GalleryStore>(),
            NullLogger<ColorizationSession>.Instance);
    }
}
