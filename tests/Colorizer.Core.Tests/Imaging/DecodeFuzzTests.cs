using System.Diagnostics;
using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.Tests.Colorization;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

/// <summary>
/// Mutates valid images of every accepted format and sends them through decoding and colorization. Only the
/// documented errors may come out, each case within a time bound. COLORIZER_FUZZ_CASES raises the count for longer
/// runs (e.g. COLORIZER_FUZZ_CASES=200000 dotnet test --filter DecodeFuzz).
/// </summary>
public sealed class DecodeFuzzTests : IClassFixture<DecodeFuzzTests.Engine>
{
    // Generous, so a machine busy with other work does not fail the test; a real hang still exceeds it.
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);

    // A mutated header may legitimately claim anything up to the pixel limit, and 50 megapixels of (mostly missing)
    // pixels take seconds to colorize; a 4-megapixel limit keeps every legitimate case well inside the time bound,
    // so a case that still exceeds it is a real hang.
    private static readonly DecodeLimits Limits = new() { MaxPixels = 4_000_000 };
    private readonly Engine _engine;

    public DecodeFuzzTests(Engine engine) => _engine = engine;

    public sealed class Engine : IDisposable
    {
        public TinyEngine Tiny { get; } = new(TinyModel.ConstantBin(120));

        public void Dispose() => Tiny.Dispose();
    }

    private static int Cases(int defaultCount) =>
        int.TryParse(Environment.GetEnvironmentVariable("COLORIZER_FUZZ_CASES"), out int count) && count > 0 ? count : defaultCount;

    private static IReadOnlyList<byte[]> Seeds()
    {
        var seeds = new List<byte[]>();
        using var grey = TestImages.Grey(37, 23);
        using var color = TestImages.Colorful(29, 17);
        using var alpha = new Mat();
        Cv2.CvtColor(color, alpha, ColorConversionCodes.BGR2BGRA);
        using var deep = new Mat();
        grey.ConvertTo(deep, MatType.CV_16UC1, 257);
        foreach (var extension in new[] { ".jpg", ".png", ".webp", ".bmp", ".tiff" })
        {
            seeds.Add(TestImages.Encode(grey, extension));
            seeds.Add(TestImages.Encode(color, extension));
        }
        seeds.Add(TestImages.Encode(alpha, ".png"));
        seeds.Add(TestImages.Encode(alpha, ".webp"));
        seeds.Add(TestImages.Encode(deep, ".png"));
        seeds.Add(TestImages.Encode(deep, ".tiff"));
        seeds.Add(TestImages.Encode(grey, ".jpg", (int)ImwriteFlags.JpegProgressive, 1));
        seeds.Add(ImagingTestData.InjectJpegExif(TestImages.Encode(grey, ".jpg"), ImagingTestData.ExifBlock(littleEndian: false, orientation: 6)));
        // Structures that are costly to decode (SlowDecodeFiles), small enough to stay valid and cheap here.
        byte[] jpeg = TestImages.Encode(grey, ".jpg"), png = TestImages.Encode(grey, ".png"), webp = TestImages.Encode(grey, ".webp");
        seeds.Add(SlowDecodeFiles.ProgressiveJpeg(37, 23, 20));
        seeds.Add(SlowDecodeFiles.JpegWithSegments(jpeg, 30, 3));
        seeds.Add(TestImages.Encode(grey, ".jpg", (int)ImwriteFlags.JpegRstInterval, 1));
        seeds.Add(SlowDecodeFiles.StripTiff(37, 23, 1));
        seeds.Add(SlowDecodeFiles.TiledTiff(37, 23, 16, TiffPieces.Jpeg));
        seeds.Add(SlowDecodeFiles.TiffWithManyTags(37, 23, 40));
        seeds.Add(SlowDecodeFiles.MultiPageTiff(5));
        seeds.Add(SlowDecodeFiles.PngWithTextChunks(png, 10, "zTXt"));
        seeds.Add(SlowDecodeFiles.PngWithManyIdatChunks(png, 7, 5));
        seeds.Add(SlowDecodeFiles.InterlacedPng(37, 23, 99));
        seeds.Add(SlowDecodeFiles.WebPWithChunks(webp, 37, 23, 10, 3));
        return seeds;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        switch (random.Next(7))
        {
            case 6: // repeat a span many times (a scan, a chunk, a segment: counts a structure check must bound)
                int at = random.Next(bytes.Length), span = random.Next(1, Math.Min(64, bytes.Length - at) + 1);
                var repeated = bytes.AsSpan(at, span).ToArray();
                return [.. bytes[..at], .. Enumerable.Repeat(repeated, random.Next(50, 400)).SelectMany(r => r), .. bytes[at..]];
            case 0: // flip a few bytes, biased towards the header
                for (int i = random.Next(1, 5); i > 0; i--)
                    bytes[random.Next(random.Next(2) == 0 ? Math.Min(64, bytes.Length) : bytes.Length)] ^= (byte)random.Next(1, 256);
                return bytes;
            case 1: // truncate
                return bytes[..random.Next(0, bytes.Length)];
            case 2: // overwrite a run with one value (0x00 or 0xFF: lengths and markers)
                int start = random.Next(bytes.Length);
                bytes.AsSpan(start, Math.Min(bytes.Length - start, random.Next(1, 16))).Fill(random.Next(2) == 0 ? (byte)0 : (byte)0xFF);
                return bytes;
            case 3: // duplicate a chunk
                int from = random.Next(bytes.Length), length = random.Next(1, Math.Min(64, bytes.Length - from) + 1);
                return [.. bytes[..from], .. bytes.AsSpan(from, length).ToArray(), .. bytes[from..]];
            case 4: // random 32-bit value at a random place (sizes, offsets, counts)
                if (bytes.Length >= 4)
                    BitConverter.TryWriteBytes(bytes.AsSpan(random.Next(bytes.Length - 3)), random.Next(2) == 0 ? random.Next() : int.MaxValue);
                return bytes;
            default: // append garbage
                var tail = new byte[random.Next(1, 64)];
                random.NextBytes(tail);
                return [.. bytes, .. tail];
        }
    }

    [Fact]
    public async Task MutatedImages_GiveOnlyDocumentedErrors_WithinTheTimeBound()
    {
        var seeds = Seeds();
        var random = new Random(20261126);
        int cases = Cases(3000), decoded = 0, refused = 0, tooComplex = 0;
        var slowest = TimeSpan.Zero;
        for (int i = 0; i < cases; i++)
        {
            byte[] input = Mutate(seeds[i % seeds.Count], random);
            var clock = Stopwatch.StartNew();
            try
            {
                var work = _engine.Tiny.Engine.ColorizeAsync(input, ColorizationOptions.Default with { RenderSize = 128 }, Limits);
                using var result = await work.WaitAsync(CaseLimit);
                using var rendered = result.Render();
                Assert.Equal(result.Width, rendered.Cols);
                Assert.Equal(result.Height, rendered.Rows);
                decoded++;
            }
            catch (Exception ex) when (ex is InvalidImageException or UnsupportedImageFormatException or ImageTooLargeException or ImageTooComplexException)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                refused++;
                if (ex is ImageTooComplexException)
                    tooComplex++;
            }
            catch (TimeoutException)
            {
                Assert.Fail($"case {i} (seed {i % seeds.Count}) took more than {CaseLimit.TotalSeconds} s");
            }
            catch (Exception ex)
            {
                Assert.Fail($"case {i} (seed {i % seeds.Count}) threw {ex.GetType().Name}: {ex.Message}");
            }
            if (clock.Elapsed > slowest)
                slowest = clock.Elapsed;
        }
        // Both outcomes must occur, or the mutations are too weak (or too strong) to mean anything.
        Assert.True(decoded > cases / 20, $"only {decoded} of {cases} mutated images decoded");
        Assert.True(refused > cases / 20, $"only {refused} of {cases} mutated images were refused");
        // Repeated scans and tags must reach the structure check now and then, or its limits go untested here.
        Assert.True(tooComplex > 0, "no mutated image was refused as too complex to decode");
    }
}
