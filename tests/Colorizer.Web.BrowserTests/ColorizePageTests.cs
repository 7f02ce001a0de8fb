using System.Text.RegularExpressions;
using Colorizer.Core.Models;
using Colorizer.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OpenCvSharp;

namespace Colorizer.Web.BrowserTests;

[Trait("Category", "Browser")]
public sealed partial class ColorizePageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const int Width = 720, Height = 480;

    private static string WriteInput(string? name = null)
    {
        string path = Path.Combine(Path.GetTempPath(), name ?? $"colorizer-e2e-{Guid.NewGuid():N}.png");
        using var image = TestImages.Grey(Width, Height);
        File.WriteAllBytes(path, TestImages.Encode(image, ".png"));
        return path;
    }

    private static async Task<ILocator> UploadAsync(IPage page, string path)
    {
        await page.Locator("#upload-zone input[type=file]").SetInputFilesAsync(path);
        var card = page.Locator("[data-testid=gallery-item]").First;
        await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 30_000 });
        return card;
    }

    /// <summary>Mean |a| + |b| (Lab) of a rectangle of a screenshot, given as fractions of its width.</summary>
    private static double Chroma(byte[] png, double fromX, double toX)
    {
        using var image = Cv2.ImDecode(png, ImreadModes.Color);
        var region = new Rect((int)(image.Cols * fromX), image.Rows / 4, (int)(image.Cols * (toX - fromX)), image.Rows / 2);
        using var part = new Mat(image, region);
        using var lab = TestImages.ToLab(part);
        using var absolute = new Mat();
        Cv2.Absdiff(lab, OpenCvSharp.Scalar.All(0), absolute);
        var magnitude = Cv2.Mean(absolute);
        return magnitude.Val1 + magnitude.Val2;
    }

    private static async Task<double> SplitPercentAsync(ILocator compare)
    {
        string value = await compare.EvaluateAsync<string>("e => getComputedStyle(e).getPropertyValue('--split')");
        return double.Parse(value.Trim().TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task UploadCompareRestyleAndDownload_WorkInARealBrowser()
    {
        string input = WriteInput();
        var page = await fixture.OpenAsync();
        try
        {
            var card = await UploadAsync(page, input);
            var compare = card.Locator("[data-testid=compare]");
            await Assertions.Expect(compare).ToBeVisibleAsync();

            // The divider starts in the middle: left of it the grey original, right of it colour.
            Assert.Equal(50, await SplitPercentAsync(compare), 1);
            byte[] before = await compare.LoadedScreenshotAsync();
            Assert.True(Chroma(before, 0.30, 0.45) < 3, "left of the divider should show the grey original");
            Assert.True(Chroma(before, 0.55, 0.70) > 8, "right of the divider should show colour");

            // The two images are the server's previews by URL (no data URLs on the circuit), loaded by the browser; their
            // bytes are the grey original and the colours.
            var after = compare.Locator("img.compare-after");
            Assert.True(await after.EvaluateAsync<bool>("i => i.complete && i.naturalWidth > 0"), "the colorized preview should have loaded");
            using (var original = Cv2.ImDecode(await PreviewImages.BytesAsync(page, compare.Locator("img.compare-before")), ImreadModes.Color))
            using (var colours = Cv2.ImDecode(await PreviewImages.BytesAsync(page, after), ImreadModes.Color))
            {
                Assert.True(Chroma(original.ToBytes(".png"), 0.1, 0.9) < 3, "the original preview should be grey");
                Assert.True(Chroma(colours.ToBytes(".png"), 0.1, 0.9) > 8, "the colorized preview should be in colour");
            }

            // Drag the divider to a quarter of the width: the band between a quarter and a half turns to colour.
            var box = (await compare.BoundingBoxAsync())!;
            await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(box.X + box.Width * 0.35f, box.Y + box.Height / 2, new() { Steps = 5 });
            await page.Mouse.MoveAsync(box.X + box.Width * 0.25f, box.Y + box.Height / 2, new() { Steps = 5 });
            await page.Mouse.UpAsync();
            Assert.Equal(25, await SplitPercentAsync(compare), 1.5);
            Assert.Equal("25", await card.Locator("[data-testid=compare-handle]").GetAttributeAsync("aria-valuenow"));
            byte[] dragged = await compare.LoadedScreenshotAsync();
            Assert.True(Chroma(dragged, 0.30, 0.45) > 8, "after the drag the band right of a quarter should be in colour");

            // The keyboard moves it too.
            await card.Locator("[data-testid=compare-handle]").FocusAsync();
            await page.Keyboard.PressAsync("End");
            Assert.Equal(100, await SplitPercentAsync(compare), 0.5);
            await page.Keyboard.PressAsync("Home");
            Assert.Equal(0, await SplitPercentAsync(compare), 0.5);

            // Vividness re-decodes the kept prediction: the colours change, the network does not run again.
            var engine = fixture.Services.GetRequiredService<ModelHost>().Engine!;
            long passes = engine.ForwardPassCount;
            var result = card.Locator("[data-testid=result]");
            string oldSource = (await result.GetAttributeAsync("src"))!;
            byte[] dull = await compare.LoadedScreenshotAsync();
            await card.Locator("input[data-testid=vividness]").EvaluateAsync(
                "e => { e.value = '100'; e.dispatchEvent(new Event('input', { bubbles: true })); e.dispatchEvent(new Event('change', { bubbles: true })); }");
            await Assertions.Expect(result).Not.ToHaveAttributeAsync("src", oldSource, new() { Timeout = 10_000 });
            byte[] vivid = await compare.LoadedScreenshotAsync();
            Assert.True(Chroma(vivid, 0.1, 0.9) > Chroma(dull, 0.1, 0.9) + 3, "more vividness should give more colour");
            Assert.Equal(passes, engine.ForwardPassCount);

            // The download is the full-resolution PNG.
            var download = await page.RunAndWaitForDownloadAsync(() => card.Locator("[data-testid=download-png]").ClickAsync());
            string saved = Path.Combine(Path.GetTempPath(), $"colorizer-e2e-{Guid.NewGuid():N}.png");
            await download.SaveAsAsync(saved);
            byte[] bytes = await File.ReadAllBytesAsync(saved);
            File.Delete(saved);
            Assert.True(bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
            using var decoded = Cv2.ImDecode(bytes, ImreadModes.Unchanged);
            Assert.Equal(new Size(Width, Height), decoded.Size());
            Assert.Matches(DownloadName(), download.SuggestedFilename);

            // The security headers (Content-Security-Policy) must not break Blazor or MudBlazor.
            Assert.True(fixture.ConsoleErrors(page).Count == 0, string.Join("\n", fixture.ConsoleErrors(page)) + " " + string.Join(" ", fixture.FailedRequests(page)));
        }
        finally
        {
            await page.Context.CloseAsync();
            File.Delete(input);
        }
    }

    [Fact]
    public async Task PastedImage_IsColorized()
    {
        using var image = TestImages.Grey(200, 150);
        string base64 = Convert.ToBase64String(TestImages.Encode(image, ".png"));
        var page = await fixture.OpenAsync();
        try
        {
            await page.EvaluateAsync(
                "base64 => {" +
                "  const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));" +
                "  const data = new DataTransfer();" +
                "  data.items.add(new File([bytes], 'clip.png', { type: 'image/png' }));" +
                "  document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));" +
                "}", base64);
            var card = page.Locator("[data-testid=gallery-item]").First;
            await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 30_000 });
            await Assertions.Expect(card).ToContainTextAsync("clip.png");
            await Assertions.Expect(card).ToContainTextAsync("200 × 150 px");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task SeveralUploads_BecomeCards_AndDownloadTogetherAsAZip()
    {
        string first = WriteInput();
        string second = Path.ChangeExtension(WriteInput(), ".jpg");
        using (var image = TestImages.Grey(300, 200))
            File.WriteAllBytes(second, TestImages.Encode(image, ".jpg"));
        var page = await fixture.OpenAsync();
        try
        {
            await page.Locator("#upload-zone input[type=file]").SetInputFilesAsync([first, second]);
            var cards = page.Locator("[data-testid=gallery-item]");
            await Assertions.Expect(cards).ToHaveCountAsync(2);
            await Assertions.Expect(page.Locator("[data-testid=gallery-item][data-status=done]")).ToHaveCountAsync(2, new() { Timeout = 30_000 });

            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=download-all]").ClickAsync());
            Assert.Equal("colorized.zip", download.SuggestedFilename);
            string saved = Path.Combine(Path.GetTempPath(), $"colorizer-e2e-{Guid.NewGuid():N}.zip");
            await download.SaveAsAsync(saved);
            using (var zip = System.IO.Compression.ZipFile.OpenRead(saved))
            {
                var sizes = zip.Entries.Select(entry =>
                {
                    using var stream = entry.Open();
                    using var buffer = new MemoryStream();
                    stream.CopyTo(buffer);
                    using var decoded = Cv2.ImDecode(buffer.ToArray(), ImreadModes.Unchanged);
                    return decoded.Size();
                }).ToList();
                Assert.Equal(2, sizes.Count);
                Assert.Contains(new Size(Width, Height), sizes);
                Assert.Contains(new Size(300, 200), sizes);
                // By default each photo keeps its kind, as the command line does: the JPEG stays JPEG, the PNG PNG.
                string[] expected = [Path.GetFileNameWithoutExtension(first) + "-colorized.png", Path.GetFileNameWithoutExtension(second) + "-colorized.jpg"];
                Assert.Equal(expected.Order(StringComparer.Ordinal), zip.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
            }
            File.Delete(saved);
        }
        finally
        {
            await page.Context.CloseAsync();
            File.Delete(first);
            File.Delete(second);
        }
    }

    [Fact]
    public async Task UnsupportedFile_ShowsItsReasonOnTheCard()
    {
        string path = Path.Combine(Path.GetTempPath(), $"colorizer-e2e-{Guid.NewGuid():N}.jpg");
        await File.WriteAllTextAsync(path, "not an image at all");
        var page = await fixture.OpenAsync();
        try
        {
            await page.Locator("#upload-zone input[type=file]").SetInputFilesAsync(path);
            var card = page.Locator("[data-testid=gallery-item]").First;
            await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "failed", new() { Timeout = 30_000 });
            await Assertions.Expect(card.Locator("[data-testid=item-error]")).ToContainTextAsync("supported formats");
        }
        finally
        {
            await page.Context.CloseAsync();
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Screenshots_AtDesktopAndPhoneWidths()
    {
        string input = WriteInput();
        string folder = BrowserFixture.ScreenshotFolder();
        foreach (var (name, width, height, scheme) in new[]
        {
            ("desktop.png", 1280, 900, ColorScheme.Light),
            ("phone.png", 390, 844, ColorScheme.Light),
            ("desktop-dark.png", 1280, 900, ColorScheme.Dark),
        })
        {
            var page = await fixture.OpenAsync(width, height, scheme);
            try
            {
                await UploadAsync(page, input);
                await page.WaitForTimeoutAsync(300);
                string path = Path.Combine(folder, name);
                await PreviewImages.LoadedAsync(page);
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
                using var shot = Cv2.ImRead(path);
                Assert.Equal(width, shot.Cols);
            }
            finally
            {
                await page.Context.CloseAsync();
            }
        }
        File.Delete(input);
    }

    [Fact]
    public async Task PhoneWidths_ALongFileNameEllipsizes_AndNeitherTheCardNorTheGuideWidensThePage()
    {
        const string longName = "scan-of-the-family-album-summer-holiday-at-the-seaside-with-grandma-and-grandpa-1956-page-12-photo-3.png";
        string input = WriteInput($"{Guid.NewGuid():N}-{longName}");
        var page = await fixture.OpenAsync(PageLayout.PhoneWidths[0], 800);
        try
        {
            var card = await UploadAsync(page, input);
            var name = card.Locator(".file-name");
            // The whole name is in the tooltip, however much of it shows.
            Assert.Equal(Path.GetFileName(input), await name.GetAttributeAsync("title"));
            foreach (int width in PageLayout.PhoneWidths)
            {
                await PageLayout.AssertFitsAsync(page, width, "a card with a long file name");
                // Cut short with an ellipsis, not wrapped and not overflowing.
                Assert.True(await name.EvaluateAsync<bool>("e => e.scrollWidth > e.clientWidth && getComputedStyle(e).textOverflow === 'ellipsis'"),
                    $"the file name is not ellipsized at {width} px");
                await PageLayout.AssertInsideAsync(card.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Remove ") }), card, $"the remove button at {width} px");
            }

            await card.Locator("[data-testid=guide-colors]").ClickAsync();
            await Assertions.Expect(card.Locator("[data-testid=guide-panel]")).ToBeVisibleAsync();
            // A selected hint: every hint button enabled and the palette of likely colours shown, the widest the panel gets.
            var layer = card.Locator("[data-testid=hint-layer]");
            await layer.ScrollIntoViewIfNeededAsync();
            var box = (await layer.BoundingBoxAsync())!;
            await page.Mouse.ClickAsync(box.X + box.Width * 0.5f, box.Y + box.Height * 0.5f);
            await Assertions.Expect(card.Locator("[data-testid=swatch]").First).ToBeVisibleAsync();
            await Assertions.Expect(card.Locator("[data-testid=hint-delete]")).ToBeEnabledAsync();
            foreach (int width in PageLayout.PhoneWidths)
            {
                await PageLayout.AssertFitsAsync(page, width, "a card with the guide open");
                // Kept for a person to look at (not copied into the docs).
                await PreviewImages.LoadedAsync(page);
                await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder(), "layout", $"guide-{width}.png"), FullPage = true });
                await PageLayout.AssertInsideAsync(card.Locator("[data-testid=guide-panel]"), card, $"the guide panel at {width} px");
            }
        }
        finally
        {
            await page.Context.CloseAsync();
            File.Delete(input);
        }
    }

    [GeneratedRegex(@"^colorizer-e2e-[0-9a-f]+-colorized\.png$")]
    private static partial Regex DownloadName();
}
