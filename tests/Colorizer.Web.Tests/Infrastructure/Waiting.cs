namespace Colorizer.Web.Tests.Infrastructure;

/// <summary>Polling for a state another thread reaches (a queue place taken, a file deleted), with a deadline.</summary>
internal static class Waiting
{
    /// <summary>
    /// Returns once <paramref name="condition"/> holds; fails the test after <paramref name="within"/> (10 seconds
    /// unless told), naming <paramref name="what"/>.
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(10);
        }
    }
}
