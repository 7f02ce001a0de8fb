using System.Security.Cryptography;

namespace Colorizer.Web.Colorization;

/// <summary>The display-size images a gallery card shows, each served by URL (<see cref="GalleryItem.PreviewUrl"/>).</summary>
public enum PreviewKind
{
    /// <summary>The photo as uploaded.</summary>
    Original,

    /// <summary>The colorized result with the card's settings and guidance.</summary>
    Result,

    /// <summary>The repaired photo, while repairs are on.</summary>
    Repaired,

    /// <summary>Another model's result on the compare's "before" side (kept in memory only).</summary>
    Compare,

    /// <summary>The reference photo's small thumbnail.</summary>
    Reference,
}

/// <summary>
/// One display-size preview, encoded (JPEG, or WebP where there is alpha). Its version is a hash of its bytes, so the
/// same picture always has the same URL (a browser cache hit) and another picture another URL. Once the gallery
/// storage has written it, its bytes are dropped from memory and read from disk when the browser asks for them.
/// </summary>
public sealed class PreviewImage
{
    private byte[]? _bytes;

    private PreviewImage(byte[]? bytes, string contentType, string version, int length)
    {
        _bytes = bytes;
        ContentType = contentType;
        Version = version;
        Length = length;
    }

    /// <summary>A preview of <paramref name="bytes"/> (an encoded image of <paramref name="contentType"/>), held in memory.</summary>
    public static PreviewImage FromBytes(byte[] bytes, string contentType)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new PreviewImage(bytes, contentType, VersionOf(bytes), bytes.Length);
    }

    /// <summary>A preview the gallery storage holds (nothing of it in memory).</summary>
    internal static PreviewImage OnDiskOnly(string contentType, string version, int length) => new(null, contentType, version, length) { IsOnDisk = true };

    /// <summary>A preview from a data URL (records of galleries written before previews were served by URL); null when it is not one.</summary>
    internal static PreviewImage? FromDataUrl(string? url)
    {
        if (url is null || !url.StartsWith("data:", StringComparison.Ordinal))
            return null;
        int semicolon = url.IndexOf(';', StringComparison.Ordinal), comma = url.IndexOf(',', StringComparison.Ordinal);
        if (semicolon < 5 || comma < semicolon)
            return null;
        try
        {
            return FromBytes(Convert.FromBase64String(url[(comma + 1)..]), url[5..semicolon]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The MIME type of the encoded bytes.</summary>
    public string ContentType { get; }

    /// <summary>A hash of the bytes: the URL's <c>v</c> and the response's ETag.</summary>
    public string Version { get; }

    /// <summary>The encoded size in bytes.</summary>
    public int Length { get; }

    /// <summary>The encoded bytes when memory holds them; null once only the gallery storage does.</summary>
    internal byte[]? Bytes => Volatile.Read(ref _bytes);

    /// <summary>What memory holds of it, for the gallery memory budget.</summary>
    internal long HeldBytes => Bytes?.LongLength ?? 0;

    /// <summary>True once the gallery storage has written it (it is then read from there when memory has let it go).</summary>
    internal bool IsOnDisk { get; private set; }

    /// <summary>Records that the storage holds it and lets memory go of its bytes.</summary>
    internal void MovedToDisk()
    {
        IsOnDisk = true;
        Volatile.Write(ref _bytes, null);
    }

    /// <summary>Takes its bytes back into memory (its record on disk is about to be deleted while the card stays).</summary>
    internal void BackInMemory(byte[] bytes)
    {
        Volatile.Write(ref _bytes, bytes);
        IsOnDisk = false;
    }

    private static string VersionOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8));

    /// <summary>The kind's name in a preview URL.</summary>
    public static string UrlName(PreviewKind kind) => kind switch
    {
        PreviewKind.Original => "original",
        PreviewKind.Result => "result",
        PreviewKind.Repaired => "repaired",
        PreviewKind.Compare => "compare",
        PreviewKind.Reference => "reference",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The kind named <paramref name="name"/> in a preview URL (exactly), or null.</summary>
    public static PreviewKind? ParseUrlName(string? name) => name switch
    {
        "original" => PreviewKind.Original,
        "result" => PreviewKind.Result,
        "repaired" => PreviewKind.Repaired,
        "compare" => PreviewKind.Compare,
        "reference" => PreviewKind.Reference,
        _ => null,
    };
}
