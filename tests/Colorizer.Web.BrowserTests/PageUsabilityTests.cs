using System.Text.RegularExpressions;
using Colorizer.Testing;
using Microsoft.Playwright;
using OpenCvSharp;

namespace Colorizer.Web.BrowserTests;

/// <summary>
/// The photo page under a demanding user's hands: reloads mid-upload, big drops, progress, the guide's divider and
/// keyboard, focus, the theme choice, headings and links, and the phone's wording.
/// </summary>
[Trait("Category", "Browser")]
public sealed partial class PageUsabilityTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static ILocator Cards(IPage page) => page.Locator("[data-testid=gallery-item]");

    private static ILocator FileInput(IPage page) => page.Locator("#upload-zone input[type=file]");

    // Noise does not compress: a few megabytes each, so an upload takes long enough to watch (and to interrupt).
    private static string[] WriteNoisyPhotos(TemporaryDirectory folder, int count, int width = 2400, int height = 1600)
    {
        var paths = new string[count];
        for (int i = 0; i < count; i++)
        {
            using var image = new Mat(height, width, MatType.CV_8UC1);
            Cv2.Randu(image, OpenCvSharp.Scalar.All(0), OpenCvSharp.Scalar.All(255));
            paths[i] = folder.File($"noisy {i + 1}.png");
            File.WriteAllBytes(paths[i], TestImages.Encode(image, ".png", (int)ImwriteFlags.PngCompression, 1));
        }
        return paths;
    }

    private static string WriteSmallJpeg(TemporaryDirectory folder, string name)
    {
        using var image = TestImages.Grey(300, 200);
        string path = folder.File(name);
        File.WriteAllBytes(path, TestImages.Encode(image, ".jpg"));
        return path;
    }

    [Fact]
    public async Task AReloadMidUpload_LeavesNoCardUploadingForever_AndTheServerLogsNoError()
    {
        using var folder = new TemporaryDirectory();
        string[] photos = WriteNoisyPhotos(folder, 6, 1600, 1000);
        int errorsBefore = fixture.ServerErrors.Count;
        var page = await fixture.OpenAsync();
        try
        {
            // About 1.6 MB each at 2 MB/s: the upload is still running when the tab reloads, however fast the machine.
            var network = await page.Context.NewCDPSessionAsync(page);
            await network.SendAsync("Network.enable");
            await network.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
            {
                ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = 2_000_000,
            });
            await FileInput(page).SetInputFilesAsync(photos);
            await Assertions.Expect(Cards(page)).ToHaveCountAsync(6);
            // The cards come in the order the files were picked, each saying how far its upload is and when it runs.
            Assert.Equal(photos.Select(Path.GetFileName), await page.Locator(".file-name").AllTextContentsAsync());
            await Assertions.Expect(Cards(page).First.Locator("[data-testid=state]")).ToHaveTextAsync(UploadingPercent(), new() { Timeout = 15_000 });
            await Assertions.Expect(Cards(page).Last.Locator("[data-testid=state]")).ToHaveTextAsync(new Regex(@"^Waiting to upload · number \d+ in this tab$"));
            // Another photo pasted meanwhile goes to the upload's fresh input: it gets its card, and the photos still
            // arriving are not cut off by it (they end done, or interrupted by the reload; never "no such file").
            await PasteAsync(page, WriteSmallJpeg(folder, "pasted.jpg"));
            await Assertions.Expect(Cards(page)).ToHaveCountAsync(7);

            await page.ReloadAsync();
            await page.WaitForSelectorAsync("body[data-circuit=ready]", new() { Timeout = 30_000 });

            // Nothing is left uploading: what had not arrived says so, and can be removed.
            await Assertions.Expect(Cards(page)).ToHaveCountAsync(7, new() { Timeout = 10_000 });
            await Assertions.Expect(page.Locator("[data-testid=gallery-item][data-status=uploading]")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
            var interrupted = Cards(page).Filter(new() { HasText = "Upload interrupted — add the photo again." });
            int count = await interrupted.CountAsync();
            Assert.True(count >= 1, "no card says its upload was interrupted");
            await interrupted.First.Locator("[data-testid=remove]").ClickAsync();
            await Assertions.Expect(Cards(page)).ToHaveCountAsync(6);
            await Assertions.Expect(page.Locator("[data-testid=item-error]").Filter(new() { HasText = "no file" })).ToHaveCountAsync(0);
            // Whatever had arrived before the reload is colorized; nothing waits for ever.
            await Assertions.Expect(page.Locator("[data-testid=gallery-item][data-status=waiting], [data-testid=gallery-item][data-status=running]"))
                .ToHaveCountAsync(0, new() { Timeout = 30_000 });
            var errors = fixture.ServerErrors.Skip(errorsBefore).ToList();
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task ADropOfTwentyPhotos_OnAnIdleServer_IsAllColorizedInPickOrder()
    {
        using var folder = new TemporaryDirectory();
        string[] photos = [.. Enumerable.Range(1, 20).Select(i => WriteSmallJpeg(folder, $"photo {i:00}.jpg"))];
        var page = await fixture.OpenAsync();
        try
        {
            await FileInput(page).SetInputFilesAsync(photos);
            await Assertions.Expect(page.Locator("[data-testid=gallery-item][data-status=done]")).ToHaveCountAsync(20, new() { Timeout = 90_000 });
            Assert.Equal(photos.Select(Path.GetFileName), await page.Locator(".file-name").AllTextContentsAsync());
            await Assertions.Expect(page.Locator("[data-testid=item-error]")).ToHaveCountAsync(0);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task AFailedCard_IsAsTallAsItsMessage_NotItsNeighbour()
    {
        using var folder = new TemporaryDirectory();
        string good = WriteSmallJpeg(folder, "good.jpg");
        string bad = folder.File("bad.jpg");
        await File.WriteAllTextAsync(bad, "not an image");
        var page = await fixture.OpenAsync(1280, 900);
        try
        {
            await FileInput(page).SetInputFilesAsync([good, bad]);
            await Assertions.Expect(Cards(page).First).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 30_000 });
            await Assertions.Expect(Cards(page).Last).ToHaveAttributeAsync("data-status", "failed", new() { Timeout = 30_000 });
            var done = (await Cards(page).First.BoundingBoxAsync())!;
            var failed = (await Cards(page).Last.BoundingBoxAsync())!;
            // Side by side in one row at this width, the failed card keeps to its own height.
            Assert.Equal(done.Y, failed.Y, 1);
            Assert.True(failed.Height < done.Height / 2, $"the failed card is {failed.Height:0} px tall next to a {done.Height:0} px one");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task TheGuide_KeepsTheDivider_AndTheKeyboardPlacesDeletesAndUndoesHints()
    {
        using var folder = new TemporaryDirectory();
        string photo = WriteSmallJpeg(folder, "keyboard.jpg");
        var page = await fixture.OpenAsync();
        try
        {
            await FileInput(page).SetInputFilesAsync(photo);
            var card = Cards(page).First;
            await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 30_000 });
            var handle = card.Locator("[data-testid=compare-handle]");
            await handle.FocusAsync();
            for (int i = 0; i < 5; i++)
                await page.Keyboard.PressAsync("ArrowLeft");
            await Assertions.Expect(handle).ToHaveAttributeAsync("aria-valuenow", "40");

            await card.Locator("[data-testid=guide-colors]").ClickAsync();
            // While guiding, the whole result shows and the divider (cut in half at an edge before) is out of the way.
            await Assertions.Expect(handle).ToBeHiddenAsync();
            var layer = card.Locator("[data-testid=hint-layer]");
            await layer.FocusAsync();
            for (int i = 0; i < 10; i++)
                await page.Keyboard.PressAsync("ArrowLeft");
            await Assertions.Expect(card.Locator("[data-testid=hint-cursor]")).ToBeVisibleAsync();
            await Assertions.Expect(card.Locator("[data-testid=hint-announce]")).ToHaveTextAsync("Cursor at 30% across, 50% down");
            await page.Keyboard.PressAsync("Enter");
            var markers = card.Locator("[data-testid=hint-marker]");
            await Assertions.Expect(markers).ToHaveCountAsync(1);
            double left = await markers.First.EvaluateAsync<double>("m => parseFloat(m.style.left)");
            Assert.InRange(left, 29, 31);
            await Assertions.Expect(card.Locator("[data-testid=hint-announce]")).ToHaveTextAsync("Hint placed at 30% across, 50% down");
            await Assertions.Expect(markers.First).ToHaveAttributeAsync("aria-pressed", "true");

            // Delete removes the selected hint; Ctrl+Z brings it back from anywhere in the guide (here the brush slider).
            await page.Keyboard.PressAsync("Delete");
            await Assertions.Expect(markers).ToHaveCountAsync(0);
            await card.Locator("[data-testid=guide-panel] input[type=range]").First.FocusAsync();
            await page.Keyboard.PressAsync("Control+z");
            await Assertions.Expect(markers).ToHaveCountAsync(1);

            // Undoing the last edit disables Undo: the focus goes on to Redo, not to the page's body.
            await card.Locator("[data-testid=hint-undo]").ClickAsync();
            await Assertions.Expect(markers).ToHaveCountAsync(0);
            await Assertions.Expect(card.Locator("[data-testid=hint-undo]")).ToBeDisabledAsync();
            await Assertions.Expect(card.Locator("[data-testid=hint-redo]")).ToBeFocusedAsync();

            // Closing the guide gives the divider back where it was.
            await card.Locator("[data-testid=guide-colors]").ClickAsync();
            await Assertions.Expect(handle).ToBeVisibleAsync();
            await Assertions.Expect(handle).ToHaveAttributeAsync("aria-valuenow", "40");

            // Delete on a focused hint removes that one, not the selected one, and the focus stays on the image.
            await card.Locator("[data-testid=guide-colors]").ClickAsync();
            await layer.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            for (int i = 0; i < 10; i++)
                await page.Keyboard.PressAsync("ArrowRight");
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(markers).ToHaveCountAsync(2);
            await Assertions.Expect(markers.Last).ToHaveAttributeAsync("aria-pressed", "true");
            await markers.First.FocusAsync();
            await page.Keyboard.PressAsync("Delete");
            await Assertions.Expect(markers).ToHaveCountAsync(1);
            Assert.InRange(await markers.First.EvaluateAsync<double>("m => parseFloat(m.style.left)"), 69, 71);
            await Assertions.Expect(layer).ToBeFocusedAsync();
            Assert.True(fixture.ConsoleErrors(page).Count == 0, string.Join("\n", fixture.ConsoleErrors(page)));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task TheDarkModeChoice_SurvivesAReload()
    {
        var page = await fixture.OpenAsync(scheme: ColorScheme.Light);
        try
        {
            var toggle = page.Locator("[data-testid=theme-toggle]");
            await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-label", "Switch to dark mode");
            await toggle.ClickAsync();
            await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-label", "Switch to light mode");
            string lightBackground = "rgb(255, 255, 255)";
            Assert.NotEqual(lightBackground, await BackgroundAsync(page));

            await page.ReloadAsync();
            await page.WaitForSelectorAsync("body[data-circuit=ready]", new() { Timeout = 30_000 });
            await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-label", "Switch to light mode", new() { Timeout = 10_000 });
            Assert.NotEqual(lightBackground, await BackgroundAsync(page));
            Assert.Equal("dark", await page.EvaluateAsync<string>("() => localStorage.getItem('colorizer.theme')"));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.mud-layout') || document.body).backgroundColor");

    [Fact]
    public async Task EachPage_HasOneHeading_TheAppBarMarksTheOpenPage_AndTheFocusedHeadingHasNoFieldLikeBox()
    {
        var page = await fixture.OpenAsync();
        try
        {
            await Assertions.Expect(page.Locator("h1")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Colorize photos");
            await Assertions.Expect(page.Locator("[data-testid=nav-photos]")).ToHaveAttributeAsync("aria-current", "page");
            await Assertions.Expect(page.Locator("[data-testid=nav-videos]")).Not.ToHaveAttributeAsync("aria-current", "page");

            await page.Locator("[data-testid=nav-videos]").ClickAsync();
            await page.WaitForURLAsync(new Regex("/video$"));
            await Assertions.Expect(page.Locator("[data-testid=nav-videos]")).ToHaveAttributeAsync("aria-current", "page");
            await Assertions.Expect(page.Locator("[data-testid=nav-photos]")).Not.ToHaveAttributeAsync("aria-current", "page");
            var heading = page.Locator("h1");
            await Assertions.Expect(heading).ToHaveCountAsync(1);
            // Navigation moves the focus to the heading, for screen readers; it must not look like a text field.
            await Assertions.Expect(heading).ToBeFocusedAsync();
            Assert.Equal("none", await heading.EvaluateAsync<string>("h => getComputedStyle(h).outlineStyle"));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task OnATouchPhone_TheUploadZoneLeadsWithChoosePhotos()
    {
        var phone = await fixture.OpenAsync(390, 844, touch: true);
        var desktop = await fixture.OpenAsync();
        try
        {
            await Assertions.Expect(phone.Locator(".upload-zone .upload-fine").First).ToBeHiddenAsync();
            await Assertions.Expect(phone.GetByText("Ctrl+V")).ToBeHiddenAsync();
            await Assertions.Expect(phone.Locator(".upload-zone .upload-touch")).ToBeVisibleAsync();
            await Assertions.Expect(phone.Locator(".upload-zone button")).ToHaveTextAsync("Choose photos");

            await Assertions.Expect(desktop.GetByText("Drop black-and-white photos here")).ToBeVisibleAsync();
            await Assertions.Expect(desktop.Locator(".upload-zone .upload-touch")).ToBeHiddenAsync();
        }
        finally
        {
            await phone.Context.CloseAsync();
            await desktop.Context.CloseAsync();
        }
    }

    // The page's own paste handler, as a Ctrl+V of an image file would call it.
    private static async Task PasteAsync(IPage page, string path)
    {
        byte[] bytes = await File.ReadAllBytesAsync(path);
        await page.EvaluateAsync(
            "([name, data]) => { const transfer = new DataTransfer(); "
            + "transfer.items.add(new File([new Uint8Array(data)], name, { type: 'image/jpeg' })); "
            + "document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true })); }",
            new object[] { Path.GetFileName(path), bytes.Select(b => (int)b).ToArray() });
    }

    [GeneratedRegex(@"^Uploading… \d+ %")]
    private static partial Regex UploadingPercent();
}
