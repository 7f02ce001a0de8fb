using Microsoft.Playwright;

namespace Colorizer.Web.BrowserTests;

/// <summary>Layout checks at phone widths: nothing may make the document wider than the window.</summary>
internal static class PageLayout
{
    /// <summary>The phone widths the pages must fit, from the smallest in use to a large phone.</summary>
    public static readonly int[] PhoneWidths = [320, 360, 390, 414];

    /// <summary>
    /// Resizes the window to <paramref name="width"/> and asserts that the document is no wider, naming the visible
    /// elements that reach past the window's right edge when it is.
    /// </summary>
    public static async Task AssertFitsAsync(IPage page, int width, string what)
    {
        await page.SetViewportSizeAsync(width, 800);
        // Two frames: the resize's layout and whatever the page's own resize observers change.
        await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        int scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        if (scrollWidth <= width)
            return;
        string[] offenders = await page.EvaluateAsync<string[]>("""
            w => [...document.querySelectorAll('body *')]
                .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 0.5; })
                .slice(0, 12)
                .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} right=${Math.round(e.getBoundingClientRect().right)}`)
            """, width);
        Assert.Fail($"{what}: the page is {scrollWidth} px wide in a {width} px window; past the edge: {string.Join("; ", offenders)}");
    }

    /// <summary>Asserts that <paramref name="inner"/> lies within <paramref name="outer"/>'s box horizontally.</summary>
    public static async Task AssertInsideAsync(ILocator inner, ILocator outer, string what)
    {
        var i = await inner.BoundingBoxAsync() ?? throw new InvalidOperationException($"{what}: not visible");
        var o = await outer.BoundingBoxAsync() ?? throw new InvalidOperationException($"{what}: container not visible");
        Assert.True(i.X >= o.X - 0.5 && i.X + i.Width <= o.X + o.Width + 0.5,
            $"{what}: {i.X:0}–{i.X + i.Width:0} px is not inside {o.X:0}–{o.X + o.Width:0} px");
    }
}
