using Colorizer.Testing;
using Microsoft.Playwright;
using OpenCvSharp;

namespace Colorizer.Web.BrowserTests;

/// <summary>
/// The page's repairs in a real browser: a dust switch shows the repaired photo against the original at once, then its
/// colours; the compare view's pairings, the state's wording, and a phone-width layout.
/// </summary>
[Trait("Category", "Browser")]
public sealed class RepairPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>
    /// Pixels of a screenshot that stand out from their 7×7 median by more than 60 grey levels: the specks' count,
    /// about zero on a clean photo.
    /// </summary>
    private static int SpeckPixels(byte[] png)
    {
        using var image = Cv2.ImDecode(png, ImreadModes.Grayscale);
        using var median = new Mat();
        Cv2.MedianBlur(image, median, 7);
        using var difference = new Mat();
        Cv2.Absdiff(image, median, difference);
        using var specks = new Mat();
        Cv2.Threshold(difference, specks, 60, 255, ThresholdTypes.Binary);
        return Cv2.CountNonZero(specks);
    }

    [Fact]
    public async Task DustSwitch_ShowsTheRepairedPhoto_ThenItsColours()
    {
        using var folder = new TemporaryDirectory();
        string photo = folder.File("specked scan.png");
        using (var clean = DamagedPhotos.Clean(720, 480))
        using (var specked = DamagedPhotos.WithSpecks(clean, 400))
            File.WriteAllBytes(photo, TestImages.Encode(specked, ".png"));
        var page = await fixture.OpenAsync();
        try
        {
            await page.Locator("#upload-zone input[type=file]").SetInputFilesAsync(photo);
            var card = page.Locator("[data-testid=gallery-item]").First;
            await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 30_000 });
            var compare = card.Locator("[data-testid=compare]");
            var handle = card.Locator("[data-testid=compare-handle]");
            var result = card.Locator(".compare-after");
            string colorizedBefore = (await result.GetAttributeAsync("src"))!;

            await card.Locator("[data-testid=repair]").ClickAsync();
            await Assertions.Expect(card.Locator("[data-testid=repair]")).ToHaveAttributeAsync("aria-pressed", "true");
            var dust = card.Locator("[data-testid=repair-dust]");
            await dust.CheckAsync(new() { Force = true });
            await Assertions.Expect(dust).ToHaveAttributeAsync("aria-checked", "true");

            // The repaired photo comes first, against the original.
            await Assertions.Expect(card.Locator(".compare-label-after")).ToHaveTextAsync("Repaired", new() { Timeout = 30_000 });
            await Assertions.Expect(card.Locator(".compare-label-before")).ToHaveTextAsync("Original");
            await Assertions.Expect(card.Locator("[data-testid=repair-state]")).ToContainTextAsync("Repaired: dust", new() { Timeout = 30_000 });
            await handle.FocusAsync();
            await page.Keyboard.PressAsync("End");
            // The labels and the handle are sharp-edged too: transparent while the specks are counted (not hidden, which
            // would take the keyboard focus off the handle).
            var overlays = await page.AddStyleTagAsync(new() { Content = ".compare-label, .compare-handle, .compare-divider { opacity: 0 !important; } .mud-appbar { visibility: hidden; }" });
            int originalSpecks = SpeckPixels(await compare.LoadedScreenshotAsync());
            await page.Keyboard.PressAsync("Home");
            int repairedSpecks = SpeckPixels(await compare.LoadedScreenshotAsync());
            Assert.True(originalSpecks > 200, $"the upload should show its specks ({originalSpecks} px)");
            Assert.True(repairedSpecks * 5 < originalSpecks, $"the repaired photo should have lost most specks: {repairedSpecks} px against {originalSpecks}");
            await Assertions.Expect(handle).ToHaveAttributeAsync("aria-valuetext", "0% original");
            await overlays.EvaluateAsync("e => e.disabled = true");

            // Then its colours: the colorized side is of the repaired photo, and has no specks either.
            await card.Locator("[data-testid=repair-view]").GetByText("Repaired | Colorized").ClickAsync();
            await Assertions.Expect(card.Locator(".compare-label-before")).ToHaveTextAsync("Repaired");
            await Assertions.Expect(card.Locator(".compare-label-after")).ToHaveTextAsync("Colorized");
            await Assertions.Expect(result).Not.ToHaveAttributeAsync("src", colorizedBefore);
            await handle.FocusAsync();
            await page.Keyboard.PressAsync("Home");
            await overlays.EvaluateAsync("e => e.disabled = false");
            int colorizedSpecks = SpeckPixels(await compare.LoadedScreenshotAsync());
            await overlays.EvaluateAsync("e => e.disabled = true");
            Assert.True(colorizedSpecks * 5 < originalSpecks, $"the colours should be of the repaired photo: {colorizedSpecks} speck px against {originalSpecks}");

            // Off again: the upload's own colours come back, and the compare view is the usual one.
            await dust.UncheckAsync(new() { Force = true });
            await Assertions.Expect(card.Locator("[data-testid=repair-view]")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
            await Assertions.Expect(card.Locator(".compare-label-before")).ToHaveTextAsync("Original");
            await Assertions.Expect(card.Locator(".compare-label-after")).ToHaveTextAsync("Colorized");
            await Assertions.Expect(result).ToHaveAttributeAsync("src", colorizedBefore, new() { Timeout = 30_000 });

            // The panel fits a phone.
            foreach (int width in PageLayout.PhoneWidths)
            {
                await PageLayout.AssertFitsAsync(page, width, "the photo page with the repairs open");
                await PageLayout.AssertInsideAsync(card.Locator("[data-testid=repair-panel]"), card, $"the repairs at {width} px");
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
