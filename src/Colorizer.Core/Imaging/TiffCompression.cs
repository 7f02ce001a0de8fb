namespace Colorizer.Core.Imaging;

/// <summary>The lossless compressions Colorizer writes TIFFs with.</summary>
public enum TiffCompression
{
    /// <summary>Deflate (zlib, TIFF compression 8): the smaller files. The default.</summary>
    Deflate,

    /// <summary>LZW (TIFF compression 5): for older readers that lack Deflate.</summary>
    Lzw,
}
