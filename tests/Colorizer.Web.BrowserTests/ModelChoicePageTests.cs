using System.Text.RegularExpressions;
using Colorizer.Testing;
using Microsoft.Playwright;
using OpenCvSharp;

namespace Colorizer.Web.BrowserTests;

/// <summary>The model pickers and the two-model comparison in a real browser, with the fixture's generated DDColor-type file.</summary>
[Trait("Category", "Browser")]
public sealed partial class ModelChoicePageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [GeneratedRegex("^DDColor ·")]
    private static partial Regex DDColorOption();

    private static async Task ChooseAsync(IPage page, ILocator picker, Regex option)
    {
        await picker.Locator(".mud-select .mud-input-control").ClickAsync();
        await page.Locator(".mud-popover-open [role=option]").Filter(new() { HasTextRegex = option }).First.ClickAsync();
    }

    // Mean a and b (Lab) of the middle of a screenshot's left or right quarter.
    private static (double A, double B) MeanAb(byte[] png, double fromX)
    {
        using var image = Cv2.ImDecode(png, ImreadModes.Color);
        using var part = new Mat(image, new Rect((int)(image.Cols * fromX), image.Rows / 4, image.Cols / 5, image.Rows / 2));
        using var lab = TestImages.ToLab(part);
        var mean = Cv2.Mean(lab);
        return (mean.Val1, mean.Val2);
    }

    [Fact]
    public async Task CompareWith_PutsTheOtherModelOnTheBeforeSide_AndTheCardsModelCanBeSwitched()
    {
        string input = Path.Combine(Path.GetTempPath(), $"colorizer-e2e-{Guid.NewGuid():N}.png");
        using (var grey = TestImages.Flat(720, 480, 140))
            File.WriteAllBytes(input, TestImages.Encode(grey, ".png"));
        var page = await fixture.OpenAsync();
        try
        {
            await page.Locator("#upload-zone input[type=file]").SetInputFilesAsync(input);
            var card = page.Locator("[data-testid=gallery-item]").First;
            await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 30_000 });
            await Assertions.Expect(card.Locator("[data-testid=card-model]")).ToContainTextAsync("BSD-2-Clause · downloaded");

            await ChooseAsync(page, card.Locator("[data-testid=model-compare]"), DDColorOption());

            var compare = card.Locator("[data-testid=compare]");
            await Assertions.Expect(card.Locator(".compare-label-before")).ToHaveTextAsync("DDColor", new() { Timeout = 30_000 });
            await Assertions.Expect(card.Locator("img.compare-before")).ToHaveAttributeAsync("alt", new Regex("^DDColor: "));
            byte[] shot = await compare.LoadedScreenshotAsync();
            var left = MeanAb(shot, 0.1);
            Assert.True(left.A > 20 && left.B < -10, $"the before side should show DDColor's (30, −20); got ({left.A:0.#}, {left.B:0.#})");

            // The card's own model: DDColor has no vividness, and says why.
            await ChooseAsync(page, card.Locator("[data-testid=card-model]"), DDColorOption());
            await Assertions.Expect(card.Locator("[data-testid=no-vividness]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(card.Locator("input[data-testid=vividness]")).ToHaveCountAsync(0);
            // Compared with itself there is nothing to compare: the original is back on the before side.
            await Assertions.Expect(card.Locator(".compare-label-before")).ToHaveTextAsync("Original");
            Assert.Empty(fixture.ConsoleErrors(page));
        }
        finally
        {
            await page.Context.CloseAsync();
            File.Delete(input);
        }
    }
}
