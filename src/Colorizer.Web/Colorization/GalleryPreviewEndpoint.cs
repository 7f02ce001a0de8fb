using Microsoft.Net.Http.Headers;

namespace Colorizer.Web.Colorization;

/// <summary>
/// <c>GET /gallery/{galleryId}/{itemId}/{kind}?v={version}</c>: a gallery card's display-size preview (original,
/// result, repaired, compared model, reference thumbnail), its encoded bytes from memory or from the gallery storage.
/// The two ids are the tab's random gallery id and the card's id, so they are the capability: any pair that is not a
/// card of a gallery in memory is a 404, whatever else exists. The version is a hash of the bytes: a URL with the
/// current one is cached privately for good (a new picture has a new URL), any other gets the current picture, not cached.
/// </summary>
public static class GalleryPreviewEndpoint
{
    /// <summary>The route.</summary>
    public const string Route = "/gallery/{galleryId}/{itemId}/{kind}";

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapGalleryPreviews(this IEndpointRouteBuilder app)
    {
        app.MapGet(Route, Serve).ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext context, string galleryId, string itemId, string kind, string? v, GalleryStore store, ILoggerFactory loggers)
    {
        if (PreviewImage.ParseUrlName(kind) is not { } previewKind || store.FindItem(galleryId, itemId) is not { } item
            || item.Preview(previewKind) is not { } preview)
            return Results.NotFound();
        byte[]? bytes = preview.Bytes;
        if (bytes is null && store.Storage is { } storage)
        {
            try
            {
                bytes = storage.ReadPreview(galleryId, itemId, previewKind, preview.Version);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
            {
                loggers.CreateLogger(typeof(GalleryPreviewEndpoint)).LogWarning(ex, "A gallery preview could not be read from the gallery storage");
            }
        }
        if (bytes is null)
            return Results.NotFound();
        var etag = new EntityTagHeaderValue($"\"{preview.Version}\"");
        bool current = string.Equals(v, preview.Version, StringComparison.Ordinal);
        context.Response.Headers.CacheControl = current ? "private, max-age=31536000, immutable" : "private, no-cache";
        // The file result sets the ETag and answers a matching If-None-Match with 304 itself.
        return Results.Bytes(bytes, preview.ContentType, entityTag: etag);
    }
}
