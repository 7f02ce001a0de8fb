using System.ComponentModel.DataAnnotations;

namespace Colorizer.Core.Imaging;

/// <summary>
/// Bounds on a file's structure, checked by <see cref="ImageStructure"/> before any pixel is decoded, because OpenCV's
/// decoders cannot be interrupted and a few structures make them run far longer than the file's size and pixel count
/// suggest. Of everything measured (docs/operations.md, "Decoding under a bound"), two needed a bound: a progressive
/// JPEG's scans, each of which costs libjpeg a pass over every block of the image (a 300 KB file with 10,001 scans took
/// 89–111 s), and a TIFF directory's unknown tags, which libtiff registers one by one at a cost that grows with the square of
/// their number (and OpenCV logs a warning line for each). The defaults let every ordinary camera, scanner and editor file
/// through with a wide margin. Bound from <c>Colorizer:Structure</c> and validated at start.
/// </summary>
public sealed class StructureLimits
{
    /// <summary>The default of <see cref="MaxJpegScans"/>.</summary>
    public const int DefaultMaxJpegScans = 100;

    /// <summary>The default of <see cref="MaxTiffTags"/>.</summary>
    public const int DefaultMaxTiffTags = 1_000;

    /// <summary>
    /// The most scans (SOS segments) a JPEG may have; default 100. A baseline JPEG has one scan (or one per component),
    /// libjpeg's progressive script 6 (grey) or 10 (colour), Photoshop's 3 to 5, mozjpeg's about a dozen. Each scan costs
    /// a pass over the image's blocks: 5–7 ms per scan at 12 megapixels measured, and 101 scans at 50 megapixels 4.9 s.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxJpegScans { get; set; } = DefaultMaxJpegScans;

    /// <summary>
    /// The most entries (tags) a TIFF's first directory may have; default 1,000. Camera, scanner and DNG files have a
    /// few dozen to about 150; libtiff itself refused a directory of 4,106 entries, and 4,000 unknown tags took 0.3 s on a
    /// 400×300 image that decodes in under 1 ms without them.
    /// </summary>
    [Range(1, 65_535)]
    public int MaxTiffTags { get; set; } = DefaultMaxTiffTags;

    /// <summary>The defaults (a new instance each time: the class is mutable for configuration binding).</summary>
    public static StructureLimits Default => new();
}
