using Colorizer.Testing;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Colorizer.Web.BrowserTests;

/// <summary>
/// An automated accessibility audit (axe-core, WCAG 2.1 A and AA rules) of the photo page (empty, with a result, with
/// the guide open, with the repairs open) and the video page (empty, and a finished job), in light and dark mode, at desktop and phone
/// widths: no serious or critical violation.
/// </summary>
[Trait("Category", "Browser")]
public sealed class AccessibilityAuditTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    // No rule is disabled. Moderate and minor findings are not failures, but are printed for a person to read.
    private static readonly AxeRunOptions Wcag21 = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    public static TheoryData<int, int, ColorScheme> Views() => new()
    {
        { 1280, 900, ColorScheme.Light },
        { 1280, 900, ColorScheme.Dark },
        { 390, 844, ColorScheme.Light },
        { 390, 844, ColorScheme.Dark },
    };

    private static async Task AssertNoSeriousViolationsAsync(IPage page, string what, List<string> report)
    {
        // Let transitions (MudBlazor's ripples, the theme's colours) settle, so colours are measured as seen.
        await page.WaitForTimeoutAsync(400);
        AxeResult result = await page.RunAxe(Wcag21);
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        foreach (var violation in result.Violations.Except(serious))
            report.Add($"{what}: {violation.Impact} {violation.Id} ({violation.Nodes.Length} elements)");
        Assert.True(serious.Count == 0, $"{what}: " + string.Join("\n", serious.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Take(6).Select(n => $"{n.Html} [{string.Join("; ", n.Any.Select(c => c.Message))}]"))}")));
    }

    [Theory]
    [MemberData(nameof(Views))]
    public async Task ThePhotoPage_EmptyWithAResultWithTheGuideAndWithTheRepairsOpen_HasNoSeriousViolations(int width, int height, ColorScheme scheme)
    {
        var report = new List<string>();
        using var folder = new TemporaryDirectory();
        string photo = folder.File("audit.png");
        using (var image = TestImages.TwoRegions(480, 320, 70, 190))
            File.WriteAllBytes(photo, TestImages.Encode(image, ".png"));
        var page = await fixture.OpenAsync(width, height, scheme);
        try
        {
            string view = $"{width} px, {scheme}";
            await AssertNoSeriousViolationsAsync(page, $"empty photo page ({view})", report);

            await page.Locator("#upload-zone input[type=file]").SetInputFilesAsync(photo);
            var card = page.Locator("[data-testid=gallery-item]").First;
            await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 30_000 });
            await AssertNoSeriousViolationsAsync(page, $"photo page with a result ({view})", report);

            await card.Locator("[data-testid=guide-colors]").ClickAsync();
            var layer = card.Locator("[data-testid=hint-layer]");
            await layer.ScrollIntoViewIfNeededAsync();
            var box = (await layer.BoundingBoxAsync())!;
            await page.Mouse.ClickAsync(box.X + box.Width * 0.25f, box.Y + box.Height * 0.5f);
            await Assertions.Expect(card.Locator("[data-testid=swatch]").First).ToBeVisibleAsync();
            await AssertNoSeriousViolationsAsync(page, $"photo page with the guide open ({view})", report);

            await card.Locator("[data-testid=guide-colors]").ClickAsync();
            await card.Locator("[data-testid=repair]").ClickAsync();
            await card.Locator("[data-testid=repair-dust]").CheckAsync(new() { Force = true });
            await Assertions.Expect(card.Locator("[data-testid=repair-view]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(card.Locator("[data-testid=repair-state]")).ToContainTextAsync("Repaired: dust", new() { Timeout = 30_000 });
            await AssertNoSeriousViolationsAsync(page, $"photo page with the repairs open ({view})", report);
        }
        finally
        {
            await page.Context.CloseAsync();
            foreach (string line in report)
                Console.WriteLine(line);
        }
    }

    [Theory]
    [MemberData(nameof(Views))]
    public async Task TheVideoPage_AndAFinishedJob_HaveNoSeriousViolations(int width, int height, ColorScheme scheme)
    {
        var report = new List<string>();
        using var work = new TemporaryDirectory();
        string input = work.File("audit clip.avi");
        TestVideos.Write(input, 12, 160, 120, 12, TestVideos.Panning(160, 120, 2, noise: 2));
        var page = await fixture.OpenAsync(width, height, scheme);
        try
        {
            string view = $"{width} px, {scheme}";
            await page.Locator("[data-testid=nav-videos]").ClickAsync();
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/video$"));
            await AssertNoSeriousViolationsAsync(page, $"video page ({view})", report);

            await page.Locator("#video-upload-zone input[type=file]").SetInputFilesAsync(input);
            var job = page.Locator("[data-testid=video-job]");
            await Assertions.Expect(job).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator("[data-testid=frame-view]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await AssertNoSeriousViolationsAsync(page, $"finished video job ({view})", report);
        }
        finally
        {
            await page.Context.CloseAsync();
            foreach (string line in report)
                Console.WriteLine(line);
        }
    }
}
