using Microsoft.Playwright;

namespace Colorizer.Web.BrowserTests;

/// <summary>
/// The cards' previews are images by URL, fetched and decoded by the browser after their <c>src</c> changes: a test
/// that reads pixels waits for the images it shows to be decoded first, and one that needs a preview's bytes fetches
/// its URL as the page does.
/// </summary>
internal static class PreviewImages
{
    private const string DecodeAll = "e => Promise.all([...(e.tagName === 'IMG' ? [e] : e.querySelectorAll('img'))]" +
        ".filter(i => i.getAttribute('src')).map(i => i.decode().catch(() => null)))";

    /// <summary>Waits until every image inside <paramref name="scope"/> has its current picture decoded.</summary>
    public static async Task LoadedAsync(ILocator scope) => await scope.EvaluateAsync(DecodeAll);

    /// <summary>Waits until every image on <paramref name="page"/> has its current picture decoded.</summary>
    public static async Task LoadedAsync(IPage page) => await page.Locator("body").EvaluateAsync(DecodeAll);

    /// <summary>A screenshot of <paramref name="scope"/> once its images show their current pictures.</summary>
    public static async Task<byte[]> LoadedScreenshotAsync(this ILocator scope)
    {
        await LoadedAsync(scope);
        return await scope.ScreenshotAsync();
    }

    /// <summary>The bytes of an image's <c>src</c>, fetched as the browser would (its URL is relative to the page).</summary>
    public static async Task<byte[]> BytesAsync(IPage page, ILocator image)
    {
        string src = (await image.GetAttributeAsync("src"))!;
        Assert.StartsWith("gallery/", src, StringComparison.Ordinal);
        var response = await page.APIRequest.GetAsync(new Uri(new Uri(page.Url), src).ToString());
        Assert.Equal(200, response.Status);
        return await response.BodyAsync();
    }
}
