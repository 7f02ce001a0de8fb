using System.Globalization;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.IO;
using Colorizer.Core.Restoration;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Colorization.Storage;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace Colorizer.Web.Tests.Colorization.Storage;

/// <summary>An app whose galleries are kept in a given folder, so a second app on the same folder is a restart.</summary>
public sealed class GalleryStorageWebFactory(string storage, IDictionary<string, string?>? more = null) : ColorizerWebFactory(
    new Dictionary<string, string?>(more ?? new Dictionary<string, string?>()) { ["Gallery:StorageDirectory"] = storage });

/// <summary>
/// Galleries on disk: a reload after a restart finds the photos with their settings and hints, without the network;
/// the memory budget drops photos from memory and reads them back; leftovers of a crash are swept; quotas refuse.
/// </summary>
public sealed class GalleryStorageTests : IDisposable
{
    private readonly TemporaryDirectory _storage = new();
    private static readonly string GalleryId = Guid.NewGuid().ToString("N");

    private static async Task<ColorizationSession> OpenAsync(ColorizerWebFactory factory)
    {
        var session = await UploadSessions.CreateAsync(factory, store: factory.Services.GetRequiredService<GalleryStore>());
        Assert.True(session.Attach(GalleryId));
        return session;
    }

    private static async Task UploadAsync(ColorizationSession session, params (string Name, Mat Photo)[] photos)
    {
        int before = session.Items.Count;
        await session.UploadAsync([.. photos.Select(p => new FakeBrowserFile(p.Name, TestImages.Encode(p.Photo, ".png")))]);
        await Waiting.UntilAsync(() => session.Items.Count == before + photos.Length
            && session.Items.All(i => i.Status == GalleryItemStatus.Done && (i.Stored is not null || i.NotKept is not null)),
            "the photos to be colorized and written", TimeSpan.FromSeconds(60));
    }

    private static long Passes(ColorizerWebFactory factory) => factory.Models.Engine!.ForwardPassCount;

    [Fact]
    public async Task AfterARestart_TheGalleryComesBack_WithSettingsAndHints_WithoutTheNetwork()
    {
        using var photo = DamagedPhotos.Clean(320, 240);
        byte[] before;
        string resultPreview;
        var hints = new[] { new ColorHint(40, 50, 8, new LabColor(60, 60, -20)) };
        await using (var first = new GalleryStorageWebFactory(_storage.Path))
        {
            using var session = await OpenAsync(first);
            await UploadAsync(session, ("porch 1931.png", photo));
            var item = session.Items[0];
            await session.RestyleAsync(item, 0.2, 1.4);
            await session.SetHintsAsync(item, hints);
            before = await session.EncodeAsync(item, OutputFormat.Png);
            resultPreview = item.ResultPreview!.Version;
            // The record follows the settings once they have settled.
            await Waiting.UntilAsync(() => item.Stored is { } s && s.Options.Saturation == 1.4 && s.Hints.Contains("60", StringComparison.Ordinal),
                "the settings to be written", TimeSpan.FromSeconds(10));
        }

        await using var second = new GalleryStorageWebFactory(_storage.Path);
        using var again = await OpenAsync(second);
        long passes = Passes(second);

        var back = Assert.Single(again.Items);
        Assert.Equal("porch 1931.png", back.FileName);
        Assert.Equal(GalleryItemStatus.Done, back.Status);
        Assert.Equal((320, 240), (back.Width, back.Height));
        Assert.Equal((0.2, 1.4), (back.Options.Temperature, back.Options.Saturation));
        Assert.Equal(HintsJson.Serialize(hints), HintsJson.Serialize(back.Hints.Current));
        Assert.Equal(resultPreview, back.ResultPreview?.Version);
        // Its previews come from the disk by their URLs, with nothing of them in memory.
        Assert.Equal(0, back.PreviewBytes);
        using (var shown = ImageAssertions.Decode(await PreviewRequests.BytesAsync(second, back, PreviewKind.Result)))
            Assert.Equal((320, 240), (shown.Cols, shown.Rows));
        Assert.Equal(ImageFormat.Png, back.SourceFormat);
        // Shown at once from its previews; the photo itself is read back when it is needed, without the network.
        Assert.False(back.IsLoaded);
        byte[] after = await again.EncodeAsync(back, OutputFormat.Png);
        Assert.Equal(passes, Passes(second));
        using var a = ImageAssertions.Decode(before);
        using var b = ImageAssertions.Decode(after);
        Assert.Equal(0, Cv2.Norm(a, b, NormTypes.INF));
    }

    [Fact]
    public async Task ARepairedPhoto_ComesBackRepaired_AndCanBeUnrepaired()
    {
        using var clean = DamagedPhotos.Clean(240, 180);
        using var specked = DamagedPhotos.WithSpecks(clean, 60);
        byte[] repaired, plain;
        await using (var first = new GalleryStorageWebFactory(_storage.Path))
        {
            using var session = await OpenAsync(first);
            await UploadAsync(session, ("scan.png", specked));
            var item = session.Items[0];
            plain = await session.EncodeAsync(item, OutputFormat.Png);
            await session.SetRestorationAsync(item, new RestorationOptions { Steps = RestorationSteps.Dust });
            repaired = await session.EncodeAsync(item, OutputFormat.Png);
            await Waiting.UntilAsync(() => item.Stored is { } s && !s.Options.Restoration.IsEmpty, "the repair to be written", TimeSpan.FromSeconds(10));
        }

        await using var second = new GalleryStorageWebFactory(_storage.Path);
        using var again = await OpenAsync(second);
        var back = Assert.Single(again.Items);
        Assert.Equal(RestorationSteps.Dust, back.WantedRestoration.Steps);
        Assert.NotNull(back.RepairedPreview);
        using (var a = ImageAssertions.Decode(repaired))
        using (var b = ImageAssertions.Decode(await again.EncodeAsync(back, OutputFormat.Png)))
            Assert.Equal(0, Cv2.Norm(a, b, NormTypes.INF));
        await again.SetRestorationAsync(back, RestorationOptions.None);
        using var p = ImageAssertions.Decode(plain);
        using var unrepaired = ImageAssertions.Decode(await again.EncodeAsync(back, OutputFormat.Png));
        Assert.Equal(0, Cv2.Norm(p, unrepaired, NormTypes.INF));
    }

    [Fact]
    public async Task Removing_DeletesThePhotosFiles_AndARestartDoesNotBringItBack()
    {
        using var photo = DamagedPhotos.Clean(160, 120);
        await using (var first = new GalleryStorageWebFactory(_storage.Path))
        {
            using var session = await OpenAsync(first);
            await UploadAsync(session, ("a.png", photo), ("b.png", photo));
            string folder = Path.Combine(_storage.Path, GalleryId);
            Assert.Equal(4, Directory.GetFiles(folder).Length);
            var gone = session.Items.Single(i => i.FileName == "a.png");
            session.Remove(gone);
            await Waiting.UntilAsync(() => Directory.GetFiles(folder).Length == 2, "the removed photo's files to go", TimeSpan.FromSeconds(10));
        }

        await using var second = new GalleryStorageWebFactory(_storage.Path);
        using var again = await OpenAsync(second);
        Assert.Equal("b.png", Assert.Single(again.Items).FileName);
    }

    [Fact]
    public async Task OverTheMemoryBudget_TheOldestPhotosLeaveMemory_AndComeBackFromDisk()
    {
        // 16 MiB: about two 1600×1200 colour photos (5.8 MB of pixels and 3.9 MB of network output each).
        await using var factory = new GalleryStorageWebFactory(_storage.Path, new Dictionary<string, string?> { ["Gallery:MemoryBudget"] = (16L << 20).ToString(CultureInfo.InvariantCulture) });
        using var session = await OpenAsync(factory);
        var store = factory.Services.GetRequiredService<GalleryStore>();
        using var photo = new Mat(1200, 1600, MatType.CV_8UC3, new OpenCvSharp.Scalar(40, 120, 200));
        for (int i = 0; i < 6; i++)
            await UploadAsync(session, ($"{i}.png", photo));

        Assert.True(store.MemoryInUse <= store.MemoryBudget, $"{store.MemoryInUse} bytes in memory; the budget is {store.MemoryBudget}");
        Assert.Contains(session.Items, i => !i.IsLoaded);
        long passes = Passes(factory);
        foreach (var item in session.Items.Where(i => !i.IsLoaded).ToList())
        {
            using var image = ImageAssertions.Decode(await session.EncodeAsync(item, OutputFormat.Jpeg));
            Assert.Equal((1600, 1200), (image.Cols, image.Rows));
            Assert.True(store.MemoryInUse <= store.MemoryBudget, "reading a photo back keeps the budget");
        }
        Assert.Equal(passes, Passes(factory));
    }

    [Fact]
    public async Task BeyondTheGallerysDiskQuota_APhotoIsNotKept_AndTheCardSaysWhy()
    {
        // 6 MiB: one 320×240 photo's upload and network output (3.9 MB of logits at render size 224) fit, a second does not.
        await using var factory = new GalleryStorageWebFactory(_storage.Path, new Dictionary<string, string?> { ["Gallery:DiskQuotaPerGallery"] = (6L << 20).ToString(CultureInfo.InvariantCulture) });
        using var session = await OpenAsync(factory);
        using var photo = DamagedPhotos.Clean(320, 240);
        await UploadAsync(session, ("first.png", photo));
        await UploadAsync(session, ("second.png", photo));

        Assert.NotNull(session.Items.Single(i => i.FileName == "first.png").Stored);
        var refused = session.Items.Single(i => i.FileName == "second.png");
        Assert.Null(refused.Stored);
        Assert.Contains("share of the disk (6 MB) is full", refused.NotKept);
        // It still works while the server runs, its previews from memory.
        using var image = ImageAssertions.Decode(await session.EncodeAsync(refused, OutputFormat.Png));
        Assert.Equal(320, image.Cols);
        Assert.True(refused.PreviewBytes > 0);
        Assert.NotEmpty(await PreviewRequests.BytesAsync(factory, refused, PreviewKind.Result));

        // A kept photo whose re-run no longer fits (16 MB of logits at 448) is dropped from disk: its previews, which
        // were only there, come back to memory and are still served.
        var first = session.Items.Single(i => i.FileName == "first.png");
        session.Remove(refused);
        Assert.Equal(0, first.PreviewBytes);
        await session.ChangeDetailAsync(first, 448);
        Assert.Null(first.Stored);
        Assert.NotNull(first.NotKept);
        Assert.True(first.OriginalPreview!.Bytes is not null);
        Assert.NotEmpty(await PreviewRequests.BytesAsync(factory, first, PreviewKind.Original));
        Assert.NotEmpty(await PreviewRequests.BytesAsync(factory, first, PreviewKind.Result));
    }

    // The bytes the index holds in previews, read from it directly.
    private long PreviewRowBytes()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_storage.Path, "galleries.db")};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(SUM(length(bytes)), 0) FROM previews";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task TheStorageBytes_CountThePreviews_AndAQuotaBetweenThePhotosFilesAndAllTheyWrite_RefusesThePhoto()
    {
        using var photo = DamagedPhotos.Clean(320, 240);
        long files, previews;
        await using (var measured = new GalleryStorageWebFactory(_storage.Path))
        {
            using var session = await OpenAsync(measured);
            await UploadAsync(session, ("porch.png", photo));
            var item = session.Items[0];
            var storage = measured.Services.GetRequiredService<GalleryStorage>();
            files = item.Stored!.Bytes;
            previews = PreviewRowBytes();
            Assert.True(previews > 0, "the previews are written into the index");
            Assert.Equal(item.KeptPreviews.Sum(p => (long)(p.Image?.Length ?? 0)), previews);
            // What the metric and the quotas read: the photo's files and its previews.
            Assert.Equal(files + previews, storage.BytesInUse);
            session.Remove(item);
            await Waiting.UntilAsync(() => storage.BytesInUse == 0, "the removed photo's bytes to go, previews too");
        }

        // A share just above the photo's files, below them with its previews: the same photo is not kept, and says why.
        long share = files + previews / 2;
        await using var factory = new GalleryStorageWebFactory(_storage.Path,
            new Dictionary<string, string?> { ["Gallery:DiskQuotaPerGallery"] = share.ToString(CultureInfo.InvariantCulture) });
        using var again = await OpenAsync(factory);
        await UploadAsync(again, ("porch.png", photo));
        var refused = again.Items[0];
        Assert.Null(refused.Stored);
        Assert.Contains("this gallery's share of the disk", refused.NotKept, StringComparison.Ordinal);
        Assert.Equal(0, factory.Services.GetRequiredService<GalleryStorage>().BytesInUse);
    }

    [Fact]
    public async Task ARecordWrittenBeforePreviewsHadATable_ComesBackWithItsDataUrlPreviews()
    {
        using var photo = DamagedPhotos.Clean(160, 120);
        await using (var first = new GalleryStorageWebFactory(_storage.Path))
        {
            using var session = await OpenAsync(first);
            await UploadAsync(session, ("old.png", photo));
        }
        // As the previous version wrote it: the previews as data URLs in the record's column, no previews table rows.
        byte[] marker = TestImages.Encode(photo, ".png");
        string url = "data:image/png;base64," + Convert.ToBase64String(marker);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_storage.Path, "galleries.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM previews; UPDATE items SET previews = $previews";
            command.Parameters.AddWithValue("$previews", $$"""{"original":"{{url}}","result":"{{url}}","repaired":null}""");
            command.ExecuteNonQuery();
        }

        await using var second = new GalleryStorageWebFactory(_storage.Path);
        using var again = await OpenAsync(second);
        var back = Assert.Single(again.Items);
        Assert.Equal(marker, await PreviewRequests.BytesAsync(second, back, PreviewKind.Result));
        Assert.Equal(marker, await PreviewRequests.BytesAsync(second, back, PreviewKind.Original));
        Assert.Null(back.RepairedPreview);
        // Written into the previews table at once, so memory lets go of them; still served, from disk.
        await Waiting.UntilAsync(() => back.PreviewBytes == 0, "the old previews to be rewritten", TimeSpan.FromSeconds(10));
        Assert.Equal(marker, await PreviewRequests.BytesAsync(second, back, PreviewKind.Result));
    }

    [Fact]
    public async Task AtStart_LeftoversOfACrashAreSwept_AndWholePhotosStay()
    {
        using var photo = DamagedPhotos.Clean(160, 120);
        string folder = Path.Combine(_storage.Path, GalleryId);
        await using (var first = new GalleryStorageWebFactory(_storage.Path))
        {
            using var session = await OpenAsync(first);
            await UploadAsync(session, ("kept.png", photo), ("broken.png", photo));
        }
        // What a kill -9 can leave: a half-written file, a file no row names, a row whose file is gone, a stray folder.
        File.WriteAllBytes(AtomicFile.TemporaryPathFor(Path.Combine(folder, "1234abcd.upload")), new byte[100]);
        File.WriteAllBytes(Path.Combine(folder, "deadbeef-1.prediction"), new byte[100]);
        string brokenUpload;
        using (var index = GalleryIndex.Open(Path.Combine(_storage.Path, "galleries.db")))
            brokenUpload = index.Load(GalleryId).Single(r => r.Item.FileName == "broken.png").Item.UploadFile;
        File.Delete(Path.Combine(folder, brokenUpload));
        Directory.CreateDirectory(Path.Combine(_storage.Path, Guid.NewGuid().ToString("N")));

        await using var second = new GalleryStorageWebFactory(_storage.Path);
        using var again = await OpenAsync(second);

        Assert.Equal("kept.png", Assert.Single(again.Items).FileName);
        Assert.Equal(2, Directory.GetFiles(folder).Length);
        Assert.Equal([GalleryId], Directory.GetDirectories(_storage.Path).Select(Path.GetFileName));
        using var image = ImageAssertions.Decode(await again.EncodeAsync(again.Items[0], OutputFormat.Png));
        Assert.Equal(160, image.Cols);
    }

    [Fact]
    public async Task ASecondAppOnTheSameFolder_IsRefusedAtStart_NamingTheSetting()
    {
        await using var first = new GalleryStorageWebFactory(_storage.Path);
        _ = first.Services;
        await using var second = new GalleryStorageWebFactory(_storage.Path);

        var ex = Assert.ThrowsAny<Exception>(() => second.Services);
        Assert.Contains("Gallery:StorageDirectory", ex.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _storage.Dispose();
}
