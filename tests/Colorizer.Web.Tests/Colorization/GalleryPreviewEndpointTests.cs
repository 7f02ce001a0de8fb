using System.Net;
using System.Net.Http.Headers;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Colorizer.Web.Tests.Colorization;

/// <summary>
/// The cards' previews by URL (<c>GET /gallery/{galleryId}/{itemId}/{kind}?v=</c>): the bytes come from memory until
/// they are written, then from the gallery storage; a new picture is a new URL; the two random ids are the
/// capability, and any other pair is a 404.
/// </summary>
public sealed class GalleryPreviewEndpointTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>
{
    private async Task<(ColorizationSession Session, GalleryItem Item)> ColorizedAsync()
    {
        var session = await UploadSessions.CreateAsync(factory);
        Assert.True(session.Attach(Guid.NewGuid().ToString("N")));
        using var photo = DamagedPhotos.Clean(320, 240);
        await session.UploadAsync([new FakeBrowserFile("porch 1931.png", TestImages.Encode(photo, ".png"))]);
        await Waiting.UntilAsync(() => session.Items.All(i => i.Status == GalleryItemStatus.Done && i.Stored is not null),
            "the photo to be colorized and written", TimeSpan.FromSeconds(60));
        return (session, session.Items[0]);
    }

    [Fact]
    public async Task APreview_IsServedByItsUrl_FromDiskOnceWritten_CachedPrivately()
    {
        var (session, item) = await ColorizedAsync();
        using var _ = session;
        // Written: memory holds none of its previews any more.
        Assert.Equal(0, item.PreviewBytes);
        Assert.Null(item.ResultPreview!.Bytes);
        string url = item.PreviewUrl(PreviewKind.Result);
        Assert.Matches($@"^gallery/{session.GalleryId}/{item.Id}/result\?v=[0-9a-f]{{16}}$", url);

        using var client = factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/" + url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.Private, response.Headers.CacheControl?.ToString());
        Assert.Equal($"\"{item.ResultPreview.Version}\"", response.Headers.ETag?.Tag);
        using (var image = ImageAssertions.Decode(await response.Content.ReadAsByteArrayAsync()))
            Assert.Equal((320, 240), (image.Cols, image.Rows));

        // The browser's revalidation.
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/" + url, UriKind.Relative));
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{item.ResultPreview.Version}\""));
        using var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        // Every kind the card shows.
        Assert.NotEmpty(await PreviewRequests.BytesAsync(factory, item, PreviewKind.Original));
    }

    [Fact]
    public async Task ANewPicture_HasANewUrl_AndAnOldUrlGetsTheCurrentPictureUncached()
    {
        var (session, item) = await ColorizedAsync();
        using var _ = session;
        string before = item.PreviewUrl(PreviewKind.Result);

        await session.RestyleAsync(item, item.Options.Temperature, 0.3);

        string after = item.PreviewUrl(PreviewKind.Result);
        Assert.NotEqual(before, after);
        using var client = factory.CreateClient();
        using var stale = await client.GetAsync(new Uri("/" + before, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.True(stale.Headers.CacheControl?.NoCache, stale.Headers.CacheControl?.ToString());
        Assert.Equal($"\"{item.ResultPreview!.Version}\"", stale.Headers.ETag?.Tag);
        // The same settings again make the same picture, so the same URL (a cache hit in the browser).
        await session.RestyleAsync(item, item.Options.Temperature, 1.0);
        Assert.Equal(before, item.PreviewUrl(PreviewKind.Result));
    }

    [Fact]
    public async Task OnlyTheGallerysOwnIds_ReachItsPreviews()
    {
        var (session, item) = await ColorizedAsync();
        using var _ = session;
        using var other = await UploadSessions.CreateAsync(factory);
        Assert.True(other.Attach(Guid.NewGuid().ToString("N")));
        string version = item.ResultPreview!.Version;
        using var client = factory.CreateClient();
        foreach (string path in new[]
        {
            $"/gallery/{other.GalleryId}/{item.Id}/result?v={version}",     // another (real) gallery's id
            $"/gallery/{Guid.NewGuid():N}/{item.Id}/result?v={version}",    // a gallery that does not exist
            $"/gallery/{session.GalleryId!.ToUpperInvariant()}/{item.Id}/result?v={version}",
            $"/gallery/{session.GalleryId}/{item.Id.ToUpperInvariant()}/result?v={version}",
            $"/gallery/{session.GalleryId}/00000000/result?v={version}",    // an item that does not exist
            $"/gallery/{session.GalleryId}/{item.Id}/upload?v={version}",   // not a kind of preview
            $"/gallery/{session.GalleryId}/{item.Id}/repaired?v={version}", // a kind the card does not have
            $"/gallery/../{session.GalleryId}/{item.Id}/result",
        })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task AGalleryNotNamedYet_ServesItsPreviewsToo()
    {
        await factory.CreateReadyClientAsync();
        using var scope = factory.Services.CreateScope();
        var session = scope.ServiceProvider.GetRequiredService<ColorizationSession>();
        var item = session.Add("photo.png");
        using var photo = DamagedPhotos.Clean(160, 120);
        await session.ColorizeAsync(item, TestImages.Encode(photo, ".png"));

        Assert.Null(session.GalleryId);
        // Not written anywhere: the bytes are in memory, and counted.
        Assert.True(item.PreviewBytes > 0);
        using var image = ImageAssertions.Decode(await PreviewRequests.BytesAsync(factory, item, PreviewKind.Result));
        Assert.Equal((160, 120), (image.Cols, image.Rows));
    }
}
