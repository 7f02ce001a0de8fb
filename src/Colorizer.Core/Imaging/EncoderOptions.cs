
using Colorizer.Core.Imaging.Metadata;

namespace Colorizer.Core.Imaging;

/// <summary>How outputs are encoded.</summary>
public sealed record EncoderOptions
{
    /// <summary>JPEG quality, 1–100; default 92.</summary>
    public int JpegQuality { get; init; } = 92;

    /// <summary>WebP quality, 1–100; default 90.</summary>
    public int WebPQuality { get; init; } = 90;

    /// <summary>
    /// PNG compression level, 0–9; default 1. Levels 1–3 use a fast path for photos (run-length matching after the
    /// Average filter); 4–9 search for matches at that zlib level, costing several times more for a few percent
    /// smaller photos (docs/performance-notes.md).
    /// </summary>
    public int PngCompression { get; init; } = 1;

    /// <summary>How TIFF results are compressed; default Deflate.</summary>
    public TiffCompression TiffCompression { get; init; } = TiffCompression.Deflate;

    /// <summary>What of the input's metadata the result keeps; default <see cref="MetadataMode.Keep"/>. The colorized mark is always written.</summary>
    public MetadataMode Metadata { get; init; } = MetadataMode.Keep;

    /// <summary>The defaults.</summary>
    public static EncoderOptions Default { get; } = new();

    /// <summary>Throws <see cref="InvalidColorizationOptionException"/> for a value out of range.</summary>
    public void Validate()
    {
        if (JpegQuality is < 1 or > 100)
            throw new InvalidColorizationOptionException(nameof(JpegQuality), $"JpegQuality must be between 1 and 100; got {JpegQuality}.");
        if (WebPQuality is < 1 or > 100)
            throw new InvalidColorizationOptionException(nameof(WebPQuality), $"WebPQuality must be between 1 and 100; got {WebPQuality}.");
        if (PngCompression is < 0 or > 9)
            throw new InvalidColorizationOptionException(nameof(PngCompression), $"PngCompression must be between 0 and 9; got {PngCompression}.");
        if (!Enum.IsDefined(TiffCompression))
            throw new InvalidColorizationOptionException(nameof(TiffCompression), $"TiffCompression must be Deflate or Lzw; got {TiffCompression}.");
        if (!Enum.IsDefined(Metadata))
            throw new InvalidColorizationOptionException(nameof(Metadata), $"Metadata must be {MetadataModeNames.Choices}; got {Metadata}.");
    }
}
