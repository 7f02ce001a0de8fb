using System.Net;
using Colorizer.Web.Colorization;

namespace Colorizer.Web.Tests.Infrastructure;

/// <summary>A card's previews as the browser gets them: by their URL, from the app's preview endpoint.</summary>
internal static class PreviewRequests
{
    /// <summary>The encoded bytes of <paramref name="item"/>'s preview of <paramref name="kind"/>, fetched through its URL.</summary>
    public static async Task<byte[]> BytesAsync(ColorizerWebFactory factory, GalleryItem item, PreviewKind kind)
    {
        string url = item.PreviewUrl(kind);
        Assert.StartsWith("gallery/", url, StringComparison.Ordinal);
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/" + url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(item.Preview(kind)!.ContentType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }
}
