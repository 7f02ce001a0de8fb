using Colorizer.Core.Imaging;
using Colorizer.Core.Restoration;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using MetadataExtractor;
using MetadataExtractor.Formats.Xmp;
using OpenCvSharp;

namespace Colorizer.Web.Tests.Colorization;

/// <summary>
/// The page's repairs: a card's toggles repair its kept original, show the repaired photo, colour it, and turn back to
/// the upload itself when all are off; a cancelled repair leaves the card as it was.
/// </summary>
public sealed class ColorizationSessionRestorationTests(SmallQueueWebFactory factory) : IClassFixture<SmallQueueWebFactory>
{
    private static readonly RestorationOptions Dust = new() { Steps = RestorationSteps.Dust };

    private static Mat Lightness(byte[] encoded)
    {
        using var image = ImageAssertions.Decode(encoded);
        using var lab = TestImages.ToLab(image);
        return lab.ExtractChannel(0);
    }

    private static double MaxDifference(Mat a, Mat b)
    {
        using var difference = new Mat();
        Cv2.Absdiff(a, b, difference);
        using var flat = difference.Reshape(1);
        flat.MinMaxLoc(out double _, out double max);
        return max;
    }

    private Task<byte[]> PreviewBytesAsync(GalleryItem item, PreviewKind kind) => PreviewRequests.BytesAsync(factory, item, kind);

    private async Task<(ColorizationSession Session, GalleryItem Item)> UploadAsync(Mat photo)
    {
        var session = await UploadSessions.CreateAsync(factory);
        await session.UploadAsync([new FakeBrowserFile("specked scan.png", TestImages.Encode(photo, ".png"))]);
        await Waiting.UntilAsync(() => session.Items.All(i => i.Status == GalleryItemStatus.Done), "the photo", TimeSpan.FromSeconds(30));
        return (session, session.Items[0]);
    }

    [Fact]
    public async Task Dust_ShowsTheRepairedPhoto_AndTheDownloadIsColoursOfIt()
    {
        using var clean = DamagedPhotos.Clean(320, 240);
        using var specked = DamagedPhotos.WithSpecks(clean, 120);
        var (session, item) = await UploadAsync(specked);
        using var _ = session;
        using var cleanL = Lightness(TestImages.Encode(clean, ".png"));
        using var plainL = Lightness(await session.EncodeAsync(item, OutputFormat.Png));

        await session.SetRestorationAsync(item, Dust);

        Assert.Equal(Dust, item.Options.Restoration);
        Assert.False(item.Repairing);
        Assert.Null(item.Error);
        byte[] download = await session.EncodeAsync(item, OutputFormat.Png);
        using var repairedL = Lightness(download);
        double before = Cv2.PSNR(cleanL, plainL, 100), after = Cv2.PSNR(cleanL, repairedL, 100);
        Assert.True(after - before >= 5, $"L of the download: {before:0.00} dB unrepaired, {after:0.00} dB repaired");
        // The repaired photo is shown on its own (grey), closer to the clean one than the upload's preview.
        using var repairedPreview = Lightness(await PreviewBytesAsync(item, PreviewKind.Repaired));
        using var originalPreview = Lightness(await PreviewBytesAsync(item, PreviewKind.Original));
        Assert.True(Cv2.PSNR(cleanL, repairedPreview, 100) - Cv2.PSNR(cleanL, originalPreview, 100) >= 3,
            "the repaired preview should show the specks gone");
        // The file says it was repaired.
        var xmp = ImageMetadataReader.ReadMetadata(new MemoryStream(download)).OfType<XmpDirectory>().Single().XmpMeta!;
        Assert.Contains(xmp.Properties, p => p.Path == "colorizer:Restoration" && p.Value == "dust (strength 0.5)");
    }

    [Fact]
    public async Task AllRepairsOff_GivesBackTheUploadItsColours()
    {
        using var clean = DamagedPhotos.Clean(240, 180);
        using var specked = DamagedPhotos.WithSpecks(clean, 60);
        var (session, item) = await UploadAsync(specked);
        using var _ = session;
        using var plain = ImageAssertions.Decode(await session.EncodeAsync(item, OutputFormat.Png));

        await session.SetRestorationAsync(item, Dust);
        using var repaired = ImageAssertions.Decode(await session.EncodeAsync(item, OutputFormat.Png));
        await session.SetRestorationAsync(item, RestorationOptions.None);

        using var again = ImageAssertions.Decode(await session.EncodeAsync(item, OutputFormat.Png));
        Assert.True(MaxDifference(plain, repaired) > 100, "the repair should have changed the specks");
        Assert.Equal(0, MaxDifference(plain, again));
        Assert.True(item.Options.Restoration.IsEmpty);
        Assert.Null(item.RepairedPreview);
        Assert.False(item.HasKeptOriginal);
    }

    [Fact]
    public async Task ChangesWhileARepairRuns_AreGathered_AndTheLatestWins()
    {
        using var clean = DamagedPhotos.Clean(320, 240);
        using var faded = DamagedPhotos.Faded(clean);
        var (session, item) = await UploadAsync(faded);
        using var _ = session;
        var latest = new RestorationOptions { Steps = RestorationSteps.Dust | RestorationSteps.Contrast, Strength = 0.8 };

        var first = session.SetRestorationAsync(item, Dust);
        Assert.True(item.Repairing);
        await session.SetRestorationAsync(item, Dust with { Steps = RestorationSteps.Scratches });
        await session.SetRestorationAsync(item, latest);
        await first;

        Assert.Equal(latest, item.Options.Restoration);
        Assert.Equal(latest, item.WantedRestoration);
        using var resultL = Lightness(await session.EncodeAsync(item, OutputFormat.Png));
        using var fadedL = Lightness(TestImages.Encode(faded, ".png"));
        resultL.MinMaxLoc(out double low, out double high);
        fadedL.MinMaxLoc(out double fadedLow, out double fadedHigh);
        Assert.True(high - low > fadedHigh - fadedLow + 10, $"contrast should be back: L spans {low:0}–{high:0}, the faded upload {fadedLow:0}–{fadedHigh:0}");
    }

    [Fact]
    public async Task StrengthAlone_WhenNoStepUsesIt_RunsNothing()
    {
        using var clean = DamagedPhotos.Clean(160, 120);
        var (session, item) = await UploadAsync(clean);
        using var _ = session;
        await session.SetRestorationAsync(item, Dust);
        var shown = item.ResultPreview!;

        await session.SetRestorationAsync(item, Dust with { Strength = 0.9 });

        Assert.Same(shown, item.ResultPreview);
        Assert.Equal(0.9, item.Options.Restoration.Strength);
    }

    [Fact]
    public async Task CancelledRepair_LeavesTheCardAsItWas()
    {
        using var clean = DamagedPhotos.Clean(1600, 1200);
        using var grainy = DamagedPhotos.WithFilmGrain(clean, 18);
        var (session, item) = await UploadAsync(grainy);
        using var _ = session;
        var shown = item.ResultPreview!;

        var repair = session.SetRestorationAsync(item, new RestorationOptions { Steps = RestorationSteps.Noise | RestorationSteps.Dust | RestorationSteps.Scratches });
        await Waiting.UntilAsync(() => item.Note == "Repairing the photo…", "the repair to start", TimeSpan.FromSeconds(30));
        session.Cancel(item);
        await repair;

        Assert.True(item.Options.Restoration.IsEmpty);
        Assert.True(item.WantedRestoration.IsEmpty);
        Assert.Null(item.RepairedPreview);
        Assert.Same(shown, item.ResultPreview);
        Assert.Equal(GalleryItemStatus.Done, item.Status);
        Assert.False(item.IsBusy);
    }

    [Fact]
    public async Task RemovedWhileRepairing_EndsWithoutAResult()
    {
        using var clean = DamagedPhotos.Clean(800, 600);
        using var specked = DamagedPhotos.WithSpecks(clean, 200);
        var (session, item) = await UploadAsync(specked);
        using var _ = session;

        var repair = session.SetRestorationAsync(item, Dust);
        session.Remove(item);
        await repair;

        Assert.Null(item.Result);
        Assert.Empty(session.Items);
        Assert.False(item.HasKeptOriginal);
    }
}
