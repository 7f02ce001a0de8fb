using System.Diagnostics;
using System.Globalization;
using Colorizer.Core;
using Colorizer.Core.Imaging;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>
/// Times OpenCV's decoder (<c>Cv2.ImDecode</c> with <c>IMREAD_UNCHANGED</c>, as <see cref="ImageDecoder"/> calls it) on
/// files whose structure makes decoding slow (<see cref="SlowDecodeFiles"/>), next to ordinary files of the same pixel
/// count, and says whether <see cref="ImageStructure"/> refuses each one before decoding. Prints a Markdown table
/// (docs/operations.md, "Decoding under a bound"). Hidden mode <c>--decode-cost [runs] [max seconds]</c>: each case runs
/// <c>runs</c> times (median), or once when one run takes longer than <c>max seconds</c>.
/// </summary>
internal static class DecodeCostBench
{
    private sealed record Case(string Name, Func<byte[]> Build, int Width, int Height);

    public static int Run(TextWriter output, int runs, double maxSeconds)
    {
        output.WriteLine("| input | file size | pixels | decode time (median) | structure check |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var c in Cases())
        {
            byte[] bytes = c.Build();
            var times = new List<double>();
            string? failure = null;
            for (int i = 0; i < runs; i++)
            {
                var clock = Stopwatch.StartNew();
                using (var decoded = Cv2.ImDecode(bytes, ImreadModes.Unchanged))
                {
                    if (decoded.Empty())
                        failure = "empty result";
                }
                times.Add(clock.Elapsed.TotalSeconds);
                if (clock.Elapsed.TotalSeconds > maxSeconds)
                    break;
            }
            times.Sort();
            double median = times[times.Count / 2];
            string verdict;
            var format = ImageFormatDetector.Identify(bytes);
            var counts = ImageStructure.Inspect(bytes, format);
            try
            {
                ImageStructure.Check(bytes, format, StructureLimits.Default);
                verdict = "accepted";
            }
            catch (InvalidImageException ex)
            {
                verdict = "**refused** (400: " + ex.Message + ")";
            }
            catch (ImageTooComplexException)
            {
                verdict = format == ImageFormat.Jpeg
                    ? string.Create(CultureInfo.InvariantCulture, $"**refused** ({counts.JpegScans:N0} scans)")
                    : string.Create(CultureInfo.InvariantCulture, $"**refused** ({counts.TiffTags:N0} tags)");
            }
            string runsText = times.Count == 1 ? "1 run" : $"{times.Count} runs";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Name} | {Size(bytes.Length)} | {c.Width}×{c.Height} ({c.Width * (double)c.Height / 1e6:0.#} MP) | {Time(median)} ({runsText}){(failure is null ? "" : ", " + failure)} | {verdict} |"));
            output.Flush();
        }
        return 0;
    }

    private static IEnumerable<Case> Cases()
    {
        const int W12 = 4000, H12 = 3000, W50 = 7071, H50 = 7071;
        byte[] Photo(int w, int h, string extension, params int[] parameters)
        {
            using var photo = PhotoGenerator.Grey(w, h, 7);
            return TestImages.Encode(photo, extension, parameters);
        }
        byte[] ColourPhoto(int w, int h, string extension, params int[] parameters)
        {
            using var photo = PhotoGenerator.Grey(w, h, 7);
            using var colour = new Mat();
            Cv2.ApplyColorMap(photo, colour, ColormapTypes.Jet);
            return TestImages.Encode(colour, extension, parameters);
        }
        byte[] Flat(int w, int h, string extension, params int[] parameters)
        {
            using var flat = TestImages.Flat(w, h, 128);
            return TestImages.Encode(flat, extension, parameters);
        }

        // JPEG: ordinary files, then scans, restart markers and segments.
        yield return new("ordinary baseline JPEG (OpenCV, quality 90)", () => Photo(W12, H12, ".jpg", (int)ImwriteFlags.JpegQuality, 90), W12, H12);
        yield return new("ordinary progressive JPEG (OpenCV, quality 90)", () => Photo(W12, H12, ".jpg", (int)ImwriteFlags.JpegQuality, 90, (int)ImwriteFlags.JpegProgressive, 1), W12, H12);
        yield return new("ordinary colour progressive JPEG (OpenCV, quality 90, 4:2:0)", () =>
            ColourPhoto(W12, H12, ".jpg", (int)ImwriteFlags.JpegQuality, 90, (int)ImwriteFlags.JpegProgressive, 1), W12, H12);
        yield return new("ordinary baseline JPEG (OpenCV, quality 90)", () => Photo(W50, H50, ".jpg", (int)ImwriteFlags.JpegQuality, 90), W50, H50);
        yield return new("ordinary progressive JPEG (OpenCV, quality 90)", () => Photo(W50, H50, ".jpg", (int)ImwriteFlags.JpegQuality, 90, (int)ImwriteFlags.JpegProgressive, 1), W50, H50);
        foreach (int scans in new[] { 10, 100, 1000, 10_000 })
            yield return new($"hand-built progressive JPEG, {scans + 1:N0} scans (DC + {scans:N0} AC refinements)", () => SlowDecodeFiles.ProgressiveJpeg(W12, H12, scans), W12, H12);
        yield return new("hand-built progressive JPEG, 101 scans (the default limit is 100)", () => SlowDecodeFiles.ProgressiveJpeg(W50, H50, 100), W50, H50);
        yield return new("hand-built progressive JPEG, 1,001 scans", () => SlowDecodeFiles.ProgressiveJpeg(W50, H50, 1000), W50, H50);
        yield return new("baseline JPEG, restart interval 1 MCU", () => Photo(W12, H12, ".jpg", (int)ImwriteFlags.JpegQuality, 90, (int)ImwriteFlags.JpegRstInterval, 1), W12, H12);
        yield return new("baseline JPEG + 1,000,000 empty COM segments", () => SlowDecodeFiles.JpegWithSegments(Photo(W12, H12, ".jpg"), 1_000_000, 0), W12, H12);
        yield return new("baseline JPEG + 10,000,000 empty COM segments", () => SlowDecodeFiles.JpegWithSegments(Photo(W12, H12, ".jpg"), 10_000_000, 0), W12, H12);
        yield return new("baseline JPEG + 700 APP1 segments of 64 KB (not EXIF/XMP)", () => SlowDecodeFiles.JpegWithSegments(Photo(W12, H12, ".jpg"), 700, 65_533, 0xE1), W12, H12);
        yield return new("baseline JPEG + 700 APP2 segments of 64 KB", () => SlowDecodeFiles.JpegWithSegments(Photo(W12, H12, ".jpg"), 700, 65_533, 0xE2), W12, H12);

        // TIFF.
        yield return new("ordinary TIFF (OpenCV: LZW, strips of 8 KB)", () => Photo(W12, H12, ".tiff"), W12, H12);
        yield return new("ordinary TIFF (OpenCV: LZW, strips of 8 KB)", () => Photo(W50, H50, ".tiff"), W50, H50);
        yield return new("flat TIFF (OpenCV: LZW)", () => Flat(W50, H50, ".tiff"), W50, H50);
        yield return new("TIFF, 1-row strips (16,384 strips), PackBits", () => SlowDecodeFiles.StripTiff(3051, 16_384, 1), 3051, 16_384);
        yield return new("TIFF, 1-row strips (16,384 strips), each a JPEG", () => SlowDecodeFiles.StripTiff(3051, 16_384, 1, TiffPieces.Jpeg), 3051, 16_384);
        yield return new("TIFF, 16,384 rows in one strip, StripOffsets declaring 5,000,000 strips", () =>
            SlowDecodeFiles.StripTiff(3051, 16_384, 16_384, declaredStrips: 5_000_000), 3051, 16_384);
        yield return new("TIFF, 16×16 tiles (195,364 tiles), PackBits", () => SlowDecodeFiles.TiledTiff(W50, H50, 16), W50, H50);
        yield return new("TIFF, 16×16 tiles (195,364 tiles), Deflate", () => SlowDecodeFiles.TiledTiff(W50, H50, 16, TiffPieces.Deflate), W50, H50);
        yield return new("TIFF, 16×16 tiles (195,364 tiles), each a JPEG", () => SlowDecodeFiles.TiledTiff(W50, H50, 16, TiffPieces.Jpeg), W50, H50);
        yield return new("TIFF, 256×256 tiles (784 tiles), PackBits", () => SlowDecodeFiles.TiledTiff(W50, H50, 256), W50, H50);
        foreach (int tags in new[] { 0, 1000, 2000, 4000 })
            yield return new($"TIFF, one strip, {tags:N0} unknown tags in IFD0", () => SlowDecodeFiles.TiffWithManyTags(400, 300, tags), 400, 300);
        yield return new("TIFF, 4,096 unknown tags in IFD0 (libtiff refuses: empty result)", () => SlowDecodeFiles.TiffWithManyTags(400, 300, 4096), 400, 300);
        yield return new("TIFF, 100,000 pages of 8×8", () => SlowDecodeFiles.MultiPageTiff(100_000), 8, 8);

        // PNG.
        yield return new("ordinary PNG (OpenCV)", () => Photo(W12, H12, ".png"), W12, H12);
        yield return new("flat PNG (OpenCV)", () => Flat(W12, H12, ".png"), W12, H12);
        yield return new("flat PNG + 100,000 tEXt chunks", () => SlowDecodeFiles.PngWithTextChunks(Flat(W12, H12, ".png"), 100_000), W12, H12);
        yield return new("flat PNG + 1,000,000 tEXt chunks", () => SlowDecodeFiles.PngWithTextChunks(Flat(W12, H12, ".png"), 1_000_000), W12, H12);
        yield return new("flat PNG + 100,000 zTXt chunks", () => SlowDecodeFiles.PngWithTextChunks(Flat(W12, H12, ".png"), 100_000, "zTXt"), W12, H12);
        yield return new("flat PNG + 100,000 iTXt chunks", () => SlowDecodeFiles.PngWithTextChunks(Flat(W12, H12, ".png"), 100_000, "iTXt"), W12, H12);
        yield return new("flat PNG + a zTXt inflating to 1 GB", () => SlowDecodeFiles.PngWithZtxtBomb(Flat(W12, H12, ".png"), 1 << 30), W12, H12);
        yield return new("flat PNG, IDAT in 1-byte chunks + 3,500,000 empty IDATs", () => SlowDecodeFiles.PngWithManyIdatChunks(Flat(W12, H12, ".png"), 1, 3_500_000), W12, H12);
        yield return new("small PNG, its IDAT's length field claiming 3,000,000,000 bytes", () =>
            SlowDecodeFiles.PngWithOverlongChunk(Flat(29, 17, ".png"), "IDAT", 3_000_000_000), 29, 17);
        yield return new("small PNG + a tEXt chunk header claiming 3,000,000,000 bytes", () =>
            SlowDecodeFiles.PngWithOverlongChunk(Flat(29, 17, ".png"), "tEXt", 3_000_000_000), 29, 17);
        yield return new("flat PNG, Adam7-interlaced (hand-built)", () => SlowDecodeFiles.InterlacedPng(W50, H50, 128), W50, H50);
        yield return new("flat PNG, not interlaced (OpenCV)", () => Flat(W50, H50, ".png"), W50, H50);

        // WebP.
        yield return new("flat lossless WebP (OpenCV)", () => Flat(W12, H12, ".webp", (int)ImwriteFlags.WebPQuality, 101), W12, H12);
        yield return new("flat lossless WebP + 1,000,000 empty unknown chunks", () =>
            SlowDecodeFiles.WebPWithChunks(Flat(W12, H12, ".webp", (int)ImwriteFlags.WebPQuality, 101), W12, H12, 1_000_000, 0), W12, H12);
        yield return new("flat lossless WebP + 5,000,000 empty unknown chunks", () =>
            SlowDecodeFiles.WebPWithChunks(Flat(W12, H12, ".webp", (int)ImwriteFlags.WebPQuality, 101), W12, H12, 5_000_000, 0), W12, H12);
        yield return new("flat lossless WebP + one 48 MB unknown chunk", () =>
            SlowDecodeFiles.WebPWithChunks(Flat(W12, H12, ".webp", (int)ImwriteFlags.WebPQuality, 101), W12, H12, 1, 48 << 20), W12, H12);
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):0.#} MB"),
        >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => $"{bytes} B",
    };

    private static string Time(double seconds) => seconds >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0.0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:0} ms");
}
