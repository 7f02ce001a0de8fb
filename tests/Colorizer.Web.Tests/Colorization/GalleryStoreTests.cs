using Colorizer.Web.Colorization;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Tests.Colorization;

public sealed class GalleryStoreTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly ManualClock _clock = new();

    private GalleryStore Store(int minutes = 30, int maxDetached = 50) =>
        new(Options.Create(new GalleryOptions { KeepAfterDisconnect = TimeSpan.FromMinutes(minutes), MaxDetached = maxDetached }), _clock);

    private static string Id(int n) => n.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void AReattachWithinTheRetention_FindsTheSameItems()
    {
        using var store = Store();
        var gallery = store.Attach(Id(1));
        var item = new GalleryItem("a.jpg");
        gallery.AddFirst(item);
        store.Detach(gallery);

        _clock.Now += TimeSpan.FromMinutes(29);
        Assert.Equal(0, store.Sweep());
        var again = store.Attach(Id(1));

        Assert.Same(gallery, again);
        Assert.Same(item, Assert.Single(again.Items));
    }

    [Fact]
    public void AGalleryNobodyShows_IsFreedAfterTheRetention()
    {
        using var store = Store();
        var gallery = store.Attach(Id(1));
        gallery.AddFirst(new GalleryItem("a.jpg"));
        store.Detach(gallery);

        _clock.Now += TimeSpan.FromMinutes(31);

        Assert.Equal(1, store.Sweep());
        Assert.Equal(0, store.Count);
        Assert.Empty(gallery.Items);
        Assert.NotSame(gallery, store.Attach(Id(1)));
    }

    [Fact]
    public void AGalleryStillShownInAnotherTab_IsKept()
    {
        using var store = Store(minutes: 0);
        var gallery = store.Attach(Id(1));
        store.Attach(Id(1));

        store.Detach(gallery);

        Assert.Equal(0, store.Sweep());
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void BeyondTheCountLimit_TheLongestClosedGoesFirst()
    {
        using var store = Store(maxDetached: 2);
        for (int n = 1; n <= 3; n++)
        {
            store.Detach(store.Attach(Id(n)));
            _clock.Now += TimeSpan.FromSeconds(1);
        }

        Assert.Equal(2, store.Count);
        var fresh = store.Attach(Id(1));
        Assert.Empty(fresh.Items);
        Assert.Equal(3, store.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0123")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("../../../../etc/passwd0123456789")]
    public void OnlyRandomLookingIdsAreAccepted(string id)
    {
        using var store = Store();

        Assert.False(GalleryStore.IsValidId(id));
        Assert.Throws<ArgumentException>(() => store.Attach(id));
    }
}
