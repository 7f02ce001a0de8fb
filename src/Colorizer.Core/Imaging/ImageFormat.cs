namespace Colorizer.Core.Imaging;

/// <summary>The image formats Colorizer accepts, recognised by content (magic bytes), never by file name.</summary>
public enum ImageFormat
{
    /// <summary>JPEG / JFIF / EXIF (starts with <c>FF D8 FF</c>).</summary>
    Jpeg,

    /// <summary>PNG (the 8-byte PNG signature).</summary>
    Png,

    /// <summary>WebP (a RIFF container of form type <c>WEBP</c>): lossy VP8, lossless VP8L or extended VP8X.</summary>
    WebP,

    /// <summary>Windows / OS/2 bitmap (<c>BM</c> followed by a known DIB header size).</summary>
    Bmp,

    /// <summary>TIFF, classic or BigTIFF, in either byte order (<c>II</c> or <c>MM</c>).</summary>
    Tiff,
}
