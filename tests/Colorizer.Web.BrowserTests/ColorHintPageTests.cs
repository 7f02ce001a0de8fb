using System.Text.Json;
using Colorizer.Core.Models;
using Colorizer.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OpenCvSharp;

namespace Colorizer.Web.BrowserTests;

[Trait("Category", "Browser")]
public sealed class ColorHintPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const int Width = 720, Height = 480;

    // A darker left half and a lighter right half, split by a sharp vertical edge.
    private static string WriteTwoRegions()
    {
        string path = Path.Combine(Path.GetTempPath(), $"colorizer-hints-{Guid.NewGuid():N}.png");
        using var image = new Mat(Height, Width, MatType.CV_8UC1, OpenCvSharp.Scalar.All(90));
        using (var right = image.ColRange(Width / 2, Width))
            right.SetTo(OpenCvSharp.Scalar.All(170));
        File.WriteAllBytes(path, TestImages.Encode(image, ".png"));
        return path;
    }

    /// <summary>Mean a* and b* of a rectangle of a screenshot, in fractions of its size.</summary>
    private static (double A, double B) MeanAb(byte[] png, double left, double top, double right, double bottom)
    {
        using var image = Cv2.ImDecode(png, ImreadModes.Color);
        var region = new Rect((int)(image.Cols * left), (int)(image.Rows * top), (int)(image.Cols * (right - left)), (int)(image.Rows * (bottom - top)));
        using var part = new Mat(image, region);
        using var lab = TestImages.ToLab(part);
        var mean = Cv2.Mean(lab);
        return (mean.Val1, mean.Val2);
    }

    [Fact]
    public async Task HintColorsItsRegion_SurvivesAReload_AndUndoes()
    {
        string input = WriteTwoRegions();
        var page = await fixture.OpenAsync();
        try
        {
            await page.Locator("#upload-zone input[type=file]").SetInputFilesAsync(input);
            var card = page.Locator("[data-testid=gallery-item]").First;
            await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 30_000 });
            var compare = card.Locator("[data-testid=compare]");
            var result = card.Locator("[data-testid=result]");

            // The whole box shows the colorized image.
            await card.Locator("[data-testid=compare-handle]").FocusAsync();
            await page.Keyboard.PressAsync("Home");
            byte[] automatic = await compare.LoadedScreenshotAsync();
            await page.Keyboard.PressAsync("End");

            // Open the guide and click the middle of the left half: a hint appears there.
            await card.Locator("[data-testid=guide-colors]").ClickAsync();
            var layer = card.Locator("[data-testid=hint-layer]");
            await Assertions.Expect(layer).ToBeVisibleAsync();
            // Opening the guide shows the whole colorized image: the divider, its handle and labels are hidden meanwhile,
            // and the divider keeps its place.
            await Assertions.Expect(card.Locator("[data-testid=compare-handle]")).ToBeHiddenAsync();
            await Assertions.Expect(card.Locator(".compare-label-before")).ToBeHiddenAsync();
            await Assertions.Expect(card.Locator("[data-testid=compare-handle]")).ToHaveAttributeAsync("aria-valuenow", "100");
            var engine = fixture.Services.GetRequiredService<ModelHost>().Engine!;
            long passes = engine.ForwardPassCount;
            var box = (await layer.BoundingBoxAsync())!;
            await page.Mouse.ClickAsync(box.X + box.Width * 0.25f, box.Y + box.Height * 0.5f);
            await Assertions.Expect(card.Locator("[data-testid=hint-marker]")).ToHaveCountAsync(1);
            await Assertions.Expect(card.Locator("[data-testid=hint-count]")).ToHaveTextAsync("1 hint");
            await Assertions.Expect(card.Locator("[data-testid=swatch]").First).ToBeVisibleAsync();

            // Give the selected hint a green from the colour input: the left half turns green, the right half stays.
            string before = (await result.GetAttributeAsync("src"))!;
            await card.Locator("[data-testid=any-colour]").EvaluateAsync(
                "e => { e.value = '#1f9d3a'; e.dispatchEvent(new Event('input', { bubbles: true })); e.dispatchEvent(new Event('change', { bubbles: true })); }");
            await Assertions.Expect(result).Not.ToHaveAttributeAsync("src", before, new() { Timeout = 10_000 });
            await Assertions.Expect(card.Locator("[data-testid=hint-marker]")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("#1f9d3a"));
            // An earlier edit's preview may still be arriving: wait for the left half to settle on green.
            var leftBefore = MeanAb(automatic, 0.05, 0.08, 0.42, 0.3);
            byte[] hinted = await compare.LoadedScreenshotAsync();
            for (var wait = System.Diagnostics.Stopwatch.StartNew(); MeanAb(hinted, 0.05, 0.08, 0.42, 0.3).A > -25 && wait.ElapsedMilliseconds < 10_000;)
            {
                await Task.Delay(200);
                hinted = await compare.LoadedScreenshotAsync();
            }
            var leftAfter = MeanAb(hinted, 0.05, 0.08, 0.42, 0.3);
            var rightBefore = MeanAb(automatic, 0.58, 0.08, 0.95, 0.92);
            var rightAfter = MeanAb(hinted, 0.58, 0.08, 0.95, 0.92);
            Assert.True(leftAfter.A < -25 && leftAfter.A < leftBefore.A - 20, $"left a* {leftBefore.A:0.0} → {leftAfter.A:0.0}");
            Assert.True(Math.Abs(rightAfter.A - rightBefore.A) < 3 && Math.Abs(rightAfter.B - rightBefore.B) < 3,
                $"right ab ({rightBefore.A:0.0}, {rightBefore.B:0.0}) → ({rightAfter.A:0.0}, {rightAfter.B:0.0})");
            Assert.Equal(passes, engine.ForwardPassCount);

            // The hints export as the API's JSON.
            var download = await page.RunAndWaitForDownloadAsync(() => card.Locator("[data-testid=hint-export]").ClickAsync());
            string saved = Path.Combine(Path.GetTempPath(), $"colorizer-hints-{Guid.NewGuid():N}.json");
            await download.SaveAsAsync(saved);
            using (var exported = JsonDocument.Parse(await File.ReadAllTextAsync(saved)))
            {
                var hint = exported.RootElement.EnumerateArray().Single();
                Assert.Equal("#1f9d3a", hint.GetProperty("color").GetString());
                Assert.InRange(hint.GetProperty("x").GetDouble(), Width * 0.2, Width * 0.3);
                Assert.InRange(hint.GetProperty("y").GetDouble(), Height * 0.4, Height * 0.6);
            }
            File.Delete(saved);

            // A reload brings the gallery back with its hint.
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("body[data-circuit=ready]");
            card = page.Locator("[data-testid=gallery-item]").First;
            await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 10_000 });
            await card.Locator("[data-testid=guide-colors]").ClickAsync();
            await Assertions.Expect(card.Locator("[data-testid=hint-count]")).ToHaveTextAsync("1 hint");
            await Assertions.Expect(card.Locator("[data-testid=hint-marker]")).ToHaveCountAsync(1);

            // Undo steps back through the edits (the recolouring, then the placing), and the colours with them; redo
            // steps forward again.
            result = card.Locator("[data-testid=result]");
            var marker = card.Locator("[data-testid=hint-marker]");
            await card.Locator("[data-testid=hint-undo]").ClickAsync();
            await Assertions.Expect(marker).Not.ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("#1f9d3a"));
            before = (await result.GetAttributeAsync("src"))!;
            await card.Locator("[data-testid=hint-undo]").ClickAsync();
            await Assertions.Expect(card.Locator("[data-testid=hint-count]")).ToHaveTextAsync("No hints");
            await Assertions.Expect(marker).ToHaveCountAsync(0);
            await Assertions.Expect(result).Not.ToHaveAttributeAsync("src", before, new() { Timeout = 10_000 });
            string undone = (await result.GetAttributeAsync("src"))!;
            await card.Locator("[data-testid=hint-redo]").ClickAsync();
            await card.Locator("[data-testid=hint-redo]").ClickAsync();
            await Assertions.Expect(result).Not.ToHaveAttributeAsync("src", undone, new() { Timeout = 10_000 });
            await Assertions.Expect(card.Locator("[data-testid=hint-count]")).ToHaveTextAsync("1 hint");
            await Assertions.Expect(marker).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("#1f9d3a"));
            // Clicking a hint selects it and shows the colours the model found likely there.
            await marker.ClickAsync();
            await Assertions.Expect(marker).ToHaveAttributeAsync("aria-pressed", "true");
            await Assertions.Expect(card.Locator("[data-testid=swatch]").First).ToBeVisibleAsync();
            await card.Locator("[data-testid=hint-layer]").ScrollIntoViewIfNeededAsync();

            Assert.True(fixture.ConsoleErrors(page).Count == 0, string.Join("\n", fixture.ConsoleErrors(page)));
            await PreviewImages.LoadedAsync(page);
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder(), "hints.png"), FullPage = false });
        }
        finally
        {
            await page.Context.CloseAsync();
            File.Delete(input);
        }
    }

    [Fact]
    public async Task StrokesMoveAndDelete_AndAReferencePhotoGivesASecondVariant()
    {
        string input = WriteTwoRegions();
        string reference = Path.Combine(Path.GetTempPath(), $"colorizer-reference-{Guid.NewGuid():N}.png");
        using (var teal = new Mat(120, 160, MatType.CV_8UC3, new OpenCvSharp.Scalar(150, 140, 40)))
            File.WriteAllBytes(reference, TestImages.Encode(teal, ".png"));
        var page = await fixture.OpenAsync();
        try
        {
            await page.Locator("#upload-zone input[type=file]").SetInputFilesAsync(input);
            var card = page.Locator("[data-testid=gallery-item]").First;
            await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 30_000 });
            // The preview with no hints and the automatic colours: rendering is deterministic, so it comes back exactly.
            var result = card.Locator("[data-testid=result]");
            string automatic = (await result.GetAttributeAsync("src"))!;
            await card.Locator("[data-testid=guide-colors]").ClickAsync();
            var layer = card.Locator("[data-testid=hint-layer]");
            var box = (await layer.BoundingBoxAsync())!;

            // A drag across the right half draws one stroke hint.
            await page.Mouse.MoveAsync(box.X + box.Width * 0.6f, box.Y + box.Height * 0.3f);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(box.X + box.Width * 0.75f, box.Y + box.Height * 0.4f, new() { Steps = 8 });
            await page.Mouse.MoveAsync(box.X + box.Width * 0.9f, box.Y + box.Height * 0.5f, new() { Steps = 8 });
            await page.Mouse.UpAsync();
            await Assertions.Expect(card.Locator("[data-testid=hint-count]")).ToHaveTextAsync("1 hint");
            await Assertions.Expect(card.Locator(".hint-strokes polyline:not(.hint-draft)")).ToHaveCountAsync(1);

            // Dragging the hint's dot moves the whole stroke.
            var marker = card.Locator("[data-testid=hint-marker]");
            string label = (await marker.GetAttributeAsync("aria-label"))!;
            var dot = (await marker.BoundingBoxAsync())!;
            await page.Mouse.MoveAsync(dot.X + dot.Width / 2, dot.Y + dot.Height / 2);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(dot.X + dot.Width / 2, dot.Y + dot.Height / 2 + box.Height * 0.3f, new() { Steps = 8 });
            await page.Mouse.UpAsync();
            await Assertions.Expect(marker).Not.ToHaveAttributeAsync("aria-label", label);
            var moved = (await marker.BoundingBoxAsync())!;
            Assert.InRange(moved.Y - dot.Y, box.Height * 0.25, box.Height * 0.35);
            Assert.Equal(1, await card.Locator("[data-testid=hint-marker]").CountAsync());

            // Selected (it was just moved), it goes with the Delete key.
            await layer.FocusAsync();
            await page.Keyboard.PressAsync("Delete");
            await Assertions.Expect(card.Locator("[data-testid=hint-count]")).ToHaveTextAsync("No hints");
            await Assertions.Expect(result).ToHaveAttributeAsync("src", automatic, new() { Timeout = 10_000 });

            // A reference photo: the variant switch appears on "From reference", and the colours move toward teal.
            await card.Locator("input[type=file][accept*='image']").SetInputFilesAsync(reference);
            var variant = card.Locator("[data-testid=variant]");
            await Assertions.Expect(variant).ToBeVisibleAsync(new() { Timeout = 10_000 });
            await Assertions.Expect(result).Not.ToHaveAttributeAsync("src", automatic, new() { Timeout = 10_000 });
            byte[] transferred = await card.Locator("[data-testid=compare]").LoadedScreenshotAsync();
            var ab = MeanAb(transferred, 0.05, 0.05, 0.95, 0.95);
            Assert.True(ab.A < -5 && ab.B < 0, $"mean ab ({ab.A:0.0}, {ab.B:0.0}) should lean to the reference's teal");
            await variant.GetByText("Automatic").ClickAsync();
            await Assertions.Expect(result).ToHaveAttributeAsync("src", automatic, new() { Timeout = 10_000 });

            Assert.True(fixture.ConsoleErrors(page).Count == 0, string.Join("\n", fixture.ConsoleErrors(page)));
        }
        finally
        {
            await page.Context.CloseAsync();
            File.Delete(input);
            File.Delete(reference);
        }
    }

    [Fact]
    public async Task ADuplicatedTab_GetsAGalleryOfItsOwn_WhileAReloadKeepsIt()
    {
        string input = WriteTwoRegions();
        var page = await fixture.OpenAsync();
        try
        {
            await page.Locator("#upload-zone input[type=file]").SetInputFilesAsync(input);
            await Assertions.Expect(page.Locator("[data-testid=gallery-item]").First).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 30_000 });
            string id = await page.EvaluateAsync<string>("() => sessionStorage.getItem('colorizer.gallery')");

            // A duplicated tab starts with a copy of the first one's session storage.
            var twin = await page.Context.NewPageAsync();
            await twin.AddInitScriptAsync($"sessionStorage.setItem('colorizer.gallery', '{id}')");
            await twin.GotoAsync(fixture.BaseAddress);
            await twin.WaitForSelectorAsync("body[data-circuit=ready]", new() { Timeout = 30_000 });
            await twin.WaitForTimeoutAsync(500);

            Assert.NotEqual(id, await twin.EvaluateAsync<string>("() => sessionStorage.getItem('colorizer.gallery')"));
            Assert.Equal(0, await twin.Locator("[data-testid=gallery-item]").CountAsync());
            await twin.CloseAsync();

            // The first tab, reloaded, still has its gallery.
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("body[data-circuit=ready]");
            await Assertions.Expect(page.Locator("[data-testid=gallery-item]")).ToHaveCountAsync(1);
            Assert.Equal(id, await page.EvaluateAsync<string>("() => sessionStorage.getItem('colorizer.gallery')"));
        }
        finally
        {
            await page.Context.CloseAsync();
            File.Delete(input);
        }
    }
}
